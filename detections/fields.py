"""THE field map of the Okta System Log: Okta JSON path -> Splunk field -> CIM fields -> SQLite column.

Every consumer derives from :data:`FIELDS`: the pySigma pipelines (rule field names), the SQLite loader
(which JSON paths to extract), props.conf generation (``FIELDALIAS``/``EVAL`` lines) and dashboards.

Conventions:

* ``okta_path`` is the dotted path of the LogEvent as Sigma rules name it (``client.ipAddress``).
  Array members are written without a marker: ``target.displayName`` means "the ``displayName`` of
  any element of ``target[]``" (any-element semantics on every engine).
* ``splunk_field`` is the name Splunk's ``KV_MODE=json`` extraction gives the field
  (``target{}.displayName``, ``request.ipChain{}.ip``).
* ``sqlite_column`` is the column the SQLite engine's queries name; array members are evaluated
  against the JSON array stored in the column named by ``array_root``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from detections.errors import UnknownFieldError

__all__ = [
    "ARRAY_ROOTS",
    "CIM_EVALS",
    "FIELDS",
    "FieldSpec",
    "array_roots_of",
    "eval_lines",
    "field_by_okta_path",
    "field_by_splunk_name",
    "fieldalias_lines",
    "is_known",
    "normalize_path",
]

#: Okta LogEvent members that are JSON arrays of objects.
ARRAY_ROOTS: tuple[str, ...] = ("target", "request.ipChain")


@dataclass(frozen=True)
class FieldSpec:
    """One System Log field and every name it has downstream."""

    okta_path: str
    kind: str = "str"  # str | bool | int | num | json
    cim: tuple[str, ...] = ()

    @property
    def array_root(self) -> str | None:
        """The array this field is a member of (``target``), or None for a scalar field."""
        for root in ARRAY_ROOTS:
            if self.okta_path.startswith(root + "."):
                return root
        return None

    @property
    def is_array(self) -> bool:
        """True when the field is a member of an array of objects (any-element matching)."""
        return self.array_root is not None

    @property
    def element_path(self) -> str | None:
        """For an array member, its path inside one element (``displayName``)."""
        root = self.array_root
        return None if root is None else self.okta_path[len(root) + 1 :]

    @property
    def splunk_field(self) -> str:
        """The field name Splunk's JSON extraction produces."""
        root = self.array_root
        if root is None:
            return self.okta_path
        return f"{root}{{}}.{self.element_path}"

    @property
    def sqlite_column(self) -> str:
        """The column name in the engine's ``logs`` table (as Sigma rules name the field)."""
        return self.okta_path


def _f(path: str, kind: str = "str", *cim: str) -> FieldSpec:
    return FieldSpec(path, kind, tuple(cim))


_GEO = ("city", "state", "country", "postalCode", "geolocation.lat", "geolocation.lon")

FIELDS: tuple[FieldSpec, ...] = (
    _f("uuid", "str", "event_id"),
    _f("published"),
    _f("eventType", "str", "signature"),
    _f("version"),
    _f("severity"),
    _f("legacyEventType"),
    _f("displayMessage", "str", "signature_id"),
    # actor
    _f("actor.id", "str", "user_id"),
    _f("actor.type"),
    _f("actor.alternateId", "str", "user", "src_user"),
    _f("actor.displayName", "str", "user_name"),
    # client
    _f("client.ipAddress", "str", "src", "src_ip"),
    _f("client.userAgent.rawUserAgent", "str", "user_agent", "http_user_agent"),
    _f("client.userAgent.os"),
    _f("client.userAgent.browser"),
    _f("client.zone", "str", "src_zone"),
    _f("client.device", "str", "src_category"),
    _f("client.id"),
    *(
        _f(f"client.geographicalContext.{g}", "num" if g.startswith("geo") else "str",
           *{"city": ("src_city",), "state": ("src_state",), "country": ("src_country",)}.get(g, ()))
        for g in _GEO
    ),
    # outcome
    _f("outcome.result", "str", "result"),
    _f("outcome.reason", "str", "reason"),
    # target[] (array of objects)
    _f("target.id", "str", "dest_id"),
    _f("target.type", "str", "object_category"),
    _f("target.alternateId", "str", "dest", "object"),
    _f("target.displayName", "str", "dest_name"),
    # transaction
    _f("transaction.id"),
    _f("transaction.type"),
    # debugContext.debugData (free-form; the keys Okta documents or that detections use)
    *(
        _f(f"debugContext.debugData.{k}")
        for k in (
            "requestId", "requestUri", "url", "threatSuspected", "behaviors", "risk",
            "logOnlySecurityData", "privilegeGranted", "deviceFingerprint", "dtHash", "authnRequestId",
            "threatDetections", "factor", "factorIntent", "pushOnlyResponseType",
            "pushWithNumberChallengeResponseType", "signOnMode", "initiationType", "grantType",
            "grantedScopes", "tunnels", "origin", "loginResult", "oktaUserAgentExtended",
            "clientAddress", "suspiciousActivityEventType", "suspiciousActivityEventId",
            "originalPrincipal.alternateId", "rateLimitScopeType", "rateLimitBucketUuid",
            "operationRateLimitType", "operationRateLimitSubtype", "phoneNumber", "userId",
            "targetEventHookIds", "appname", "changedAttributes",
        )
    ),
    # authenticationContext
    _f("authenticationContext.authenticationProvider"),
    _f("authenticationContext.credentialProvider"),
    _f("authenticationContext.credentialType", "str", "authentication_method"),
    _f("authenticationContext.issuer.id"),
    _f("authenticationContext.issuer.type"),
    _f("authenticationContext.interface"),
    _f("authenticationContext.authenticationStep", "int"),
    _f("authenticationContext.externalSessionId", "str", "session_id"),
    _f("authenticationContext.rootSessionId"),
    # securityContext
    _f("securityContext.asNumber", "int"),
    _f("securityContext.asOrg"),
    _f("securityContext.isp"),
    _f("securityContext.domain"),
    _f("securityContext.isProxy", "bool"),
    # request.ipChain[] (array of objects)
    _f("request.ipChain.ip"),
    _f("request.ipChain.version"),
    _f("request.ipChain.source"),
    *(_f(f"request.ipChain.geographicalContext.{g}", "num" if g.startswith("geo") else "str") for g in _GEO),
)

#: CIM fields computed rather than aliased (props.conf ``EVAL-<name> = <expression>``).
CIM_EVALS: dict[str, str] = {
    "action": 'case(\'outcome.result\'=="SUCCESS" OR \'outcome.result\'=="ALLOW", "success", '
    '\'outcome.result\'=="FAILURE" OR \'outcome.result\'=="DENY", "failure", true(), "unknown")',
    "app": '"okta"',
    "vendor_product": '"Okta Identity Cloud"',
    "change_type": "mvindex(split(eventType, \".\"), 0)",
}


def normalize_path(path: str) -> str:
    """The lookup key of a field name: array markers (``{}``/``[]``) dropped, lower case."""
    return re.sub(r"(\{\}|\[\])", "", path.strip()).lower()


def _index() -> dict[str, FieldSpec]:
    index: dict[str, FieldSpec] = {}
    for spec in FIELDS:
        index[normalize_path(spec.okta_path)] = spec
    return index


_BY_KEY = _index()
_BY_SPLUNK = {spec.splunk_field: spec for spec in FIELDS}


def field_by_okta_path(path: str, rule: str = "") -> FieldSpec:
    """The spec of an Okta path; case and array markers are forgiven (``eventtype``, ``target[].id``).

    Raises :class:`UnknownFieldError` (a ``KeyError``) naming the field (and the rule when given).
    """
    spec = _BY_KEY.get(normalize_path(path))
    if spec is None:
        raise UnknownFieldError(path, rule)
    return spec


def field_by_splunk_name(name: str) -> FieldSpec:
    """The spec of a Splunk field name (``target{}.displayName``); raises :class:`UnknownFieldError`."""
    spec = _BY_SPLUNK.get(name)
    if spec is None:
        raise UnknownFieldError(name)
    return spec


def is_known(path: str) -> bool:
    """True when ``path`` names a field of the map (same forgiveness as :func:`field_by_okta_path`)."""
    return normalize_path(path) in _BY_KEY


def array_roots_of(paths: list[str]) -> list[str]:
    """The array roots that the given Okta paths are members of, in map order."""
    roots = {field_by_okta_path(p).array_root for p in paths}
    return [r for r in ARRAY_ROOTS if r in roots]


def _conf_field(name: str) -> str:
    return name if re.fullmatch(r"\w+", name) else f'"{name}"'


def fieldalias_lines(prefix: str = "okta_ir") -> list[str]:
    """props.conf ``FIELDALIAS-`` lines, one per (Splunk field, CIM field), in map order."""
    return [
        f"FIELDALIAS-{prefix}_{cim} = {_conf_field(spec.splunk_field)} AS {cim}"
        for spec in FIELDS
        for cim in spec.cim
    ]


def eval_lines() -> list[str]:
    """props.conf ``EVAL-`` lines for the computed CIM fields."""
    return [f"EVAL-{name} = {expr}" for name, expr in CIM_EVALS.items()]
