"""Containment actions against an Okta org: suspend, clear sessions, quarantine, block IP... and their undo.

Public entry: ``run_action(client, action, targets, policy, dry_run=...)`` -> one ``ActionResult`` per
distinct target, and ``contain_compromise(...)`` for the usual playbook. Every call goes through the one
``OktaClient`` (retries and rate limits happen there). Safety rails (``okta_ir.containment.safety``) and
target validation (``okta_ir.containment.targets``) refuse before anything is sent. A dry run makes the
read-only lookups (so the plan is exact) and returns the writes it would send without sending them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Optional
from urllib.parse import quote, urlencode

from okta_ir.containment.results import (
    DRY_RUN,
    FAILED,
    NO_CHANGE,
    REFUSED,
    SUCCESS,
    ActionResult,
    PlannedRequest,
)
from okta_ir.containment.safety import (
    ContainmentPolicy,
    check_blast_radius,
    check_blockable,
    check_user_not_protected,
)
from okta_ir.containment.targets import (
    display,
    parse_ip_target,
    parse_okta_id,
    parse_session_id,
    parse_user_ref,
)
from okta_ir.containment.zones import (
    contains_exactly,
    gateway_for,
    gateways_covering,
    replacement_body,
    without_gateway,
)
from okta_ir.errors import (
    ContainmentRefused,
    InvalidResponseError,
    OktaBadRequestError,
    OktaError,
    OktaIRError,
    OktaNotFoundError,
)

__all__ = [
    "ACTIONS",
    "ActionResult",
    "ContainmentPolicy",
    "PlannedRequest",
    "contain_compromise",
    "normalize_action",
    "run_action",
    "target_kind",
]

USER, IP, SESSION = "user", "ip", "session"
_MAX_PAGES = 50
_ZONE_ATTEMPTS = 3

# action -> kind of target it takes
ACTIONS: dict[str, str] = {
    "suspend": USER,
    "unsuspend": USER,
    "clear_sessions": USER,
    "quarantine": USER,
    "release": USER,
    "reset_factors": USER,
    "expire_password": USER,
    "deactivate": USER,
    "block_ip": IP,
    "unblock_ip": IP,
    "revoke_session": SESSION,
}

# alert action names that say what they act on
_ALIASES = {f"{a}_user": a for a in ("suspend", "unsuspend", "quarantine", "release", "deactivate")}

_PARSERS: dict[str, Callable[[object], Any]] = {
    USER: parse_user_ref,
    IP: parse_ip_target,
    SESSION: parse_session_id,
}


def normalize_action(name: str) -> str:
    """``clear-sessions`` / ``okta_ir_clear_sessions`` / ``okta_ir_suspend_user`` -> the action's key."""
    key = name.strip().lower().replace("-", "_")
    if key.startswith("okta_ir_"):
        key = key[len("okta_ir_"):]
    key = _ALIASES.get(key, key)
    if key not in ACTIONS:
        raise ContainmentRefused(f"unknown containment action {display(name)}; one of: {', '.join(ACTIONS)}")
    return key


def target_kind(action: str) -> str:
    """``user``, ``ip`` or ``session``: what the action takes."""
    return ACTIONS[normalize_action(action)]


class _Refused(Exception):
    def __init__(self, outcome: str, detail: str) -> None:
        super().__init__(detail)
        self.outcome = outcome
        self.detail = detail


@dataclass
class _Step:
    """The requests of one action on one target; writes are held back in a dry run."""

    client: Any
    base_url: str
    dry_run: bool
    requests: list[PlannedRequest] = field(default_factory=list)
    user_id: Optional[str] = None

    def url(self, path: str, params: Optional[Mapping[str, str]] = None) -> str:
        return self.base_url + path + ("?" + urlencode(params) if params else "")

    def read(self, path: str, params: Optional[Mapping[str, str]] = None) -> Any:
        """GET a JSON document (the client retries truncated answers)."""
        self.requests.append(PlannedRequest("GET", self.url(path, params)))
        return self.client.get_json(path, dict(params) if params else None)

    def read_all(self, path: str) -> list[Any]:
        """A list endpoint, following ``rel="next"`` links (the client refuses links off the org)."""
        items: list[Any] = []
        url: Optional[str] = path
        for _ in range(_MAX_PAGES):
            if url is None:
                return items
            self.requests.append(PlannedRequest("GET", url if "://" in url else self.url(url)))
            page = self.client.get_page(url)
            items.extend(page.items)
            url = page.next_url
        raise InvalidResponseError(f"GET {path} returned more than {_MAX_PAGES} pages; refusing to go on")

    def write(
        self,
        method: str,
        path: str,
        *,
        params: Optional[Mapping[str, str]] = None,
        body: Optional[dict[str, Any]] = None,
        expected: tuple[int, ...] = (200, 204),
    ) -> str:
        planned = PlannedRequest(method, self.url(path, params), body, sent=not self.dry_run)
        self.requests.append(planned)
        if self.dry_run:
            return DRY_RUN
        query = dict(params) if params else None
        self.client.request(method, path, params=query, json=body, expected=expected)
        return SUCCESS


def _seg(value: str) -> str:
    return quote(value, safe="")


def _answered_id(value: Any, what: str) -> str:
    """An id taken from Okta's answer, checked before it goes into a path (a response is input too)."""
    try:
        return parse_okta_id(value, what)
    except ContainmentRefused:
        raise InvalidResponseError(f"Okta answered with a {what} id that is not an Okta id") from None


def _no_change(detail: str) -> _Refused:
    return _Refused(NO_CHANGE, detail)


class _Runner:
    """Carries out one action on validated targets."""

    def __init__(self, client: Any, policy: ContainmentPolicy, dry_run: bool, base_url: str) -> None:
        self.client = client
        self.policy = policy
        self.dry_run = dry_run
        self.base_url = base_url

    # -- users ---------------------------------------------------------------------------------------
    def _user(self, step: _Step, ref: str) -> tuple[dict[str, Any], list[str]]:
        """Resolve ``ref``, check it is the user meant, and check the protected rails."""
        user = step.read(f"/api/v1/users/{_seg(ref)}")
        if not isinstance(user, dict):
            raise InvalidResponseError("Okta answered the user lookup with something that is not a user")
        _answered_id(user.get("id"), "user")
        login = str((user.get("profile") or {}).get("login") or "")
        wanted = ref.lower()
        if wanted not in (user["id"].lower(), login.lower(), login.lower().split("@")[0]):
            raise _Refused(REFUSED, f"{display(ref)} resolved to another user ({display(login)})")
        step.user_id = user["id"]
        groups = step.read_all(f"/api/v1/users/{_seg(user['id'])}/groups")
        group_ids = [str(g.get("id")) for g in groups if isinstance(g, dict)]
        try:
            check_user_not_protected(ref, user, group_ids, self.policy)
        except ContainmentRefused as exc:
            raise _Refused(REFUSED, str(exc)) from None
        return user, group_ids

    def _lifecycle(
        self, step: _Step, user: dict[str, Any], op: str, done_status: str, params: Any = None
    ) -> str:
        status = str(user.get("status") or "")
        if status == done_status:
            raise _no_change(f"user is already {done_status}")
        path = f"/api/v1/users/{_seg(user['id'])}/lifecycle/{op}"
        try:
            outcome = step.write("POST", path, params=params)
        except OktaBadRequestError:
            # A 400 here is "not in the right status": if someone else got there first, it is no change.
            current = step.read(f"/api/v1/users/{_seg(user['id'])}")
            if isinstance(current, dict) and current.get("status") == done_status:
                raise _no_change(f"user became {done_status} meanwhile") from None
            raise
        return outcome

    def user_action(self, action: str, ref: str, step: _Step) -> tuple[str, str]:
        if action == "deactivate" and not self.policy.allow_deactivate:
            raise _Refused(REFUSED, "deactivation is disabled; enable it explicitly in the configuration")
        if action in ("quarantine", "release") and not self.policy.quarantine_group_id:
            raise _Refused(REFUSED, "no quarantine group is configured")
        user, group_ids = self._user(step, ref)
        uid = _seg(user["id"])
        status = str(user.get("status") or "")
        if action == "suspend":
            return self._lifecycle(step, user, "suspend", "SUSPENDED"), f"user was {status}, now SUSPENDED"
        if action == "unsuspend":
            if status == "ACTIVE":
                raise _no_change("user is already ACTIVE")
            return self._lifecycle(step, user, "unsuspend", "ACTIVE"), "user was SUSPENDED, now ACTIVE"
        if action == "expire_password":
            return self._lifecycle(step, user, "expire_password", "PASSWORD_EXPIRED"), "password expired"
        if action == "deactivate":
            outcome = self._lifecycle(step, user, "deactivate", "DEPROVISIONED", {"sendEmail": "false"})
            return outcome, f"user was {status}, now DEPROVISIONED"
        if action == "clear_sessions":
            path = f"/api/v1/users/{uid}/sessions"
            outcome = step.write("DELETE", path, params={"oauthTokens": "true"})
            return outcome, "sessions and OAuth tokens revoked"
        if action == "reset_factors":
            factors = step.read(f"/api/v1/users/{uid}/factors")
            if isinstance(factors, list) and not factors:
                raise _no_change("user has no enrolled factors")
            return step.write("POST", f"/api/v1/users/{uid}/lifecycle/reset_factors"), "factors reset"
        gid = str(self.policy.quarantine_group_id)
        member = gid in group_ids
        path = f"/api/v1/groups/{_seg(gid)}/users/{uid}"
        if action == "quarantine":
            if member:
                raise _no_change(f"user is already in group {gid}")
            return step.write("PUT", path, expected=(204, 200)), f"added to group {gid}"
        if not member:
            raise _no_change(f"user is not in group {gid}")
        return step.write("DELETE", path, expected=(204, 200)), f"removed from group {gid}"

    # -- sessions ------------------------------------------------------------------------------------
    def session_action(self, session_id: str, step: _Step) -> tuple[str, str]:
        try:
            session = step.read(f"/api/v1/sessions/{_seg(session_id)}")
        except OktaNotFoundError:
            raise _no_change("no such session (already ended)") from None
        user_id = _answered_id(session.get("userId") if isinstance(session, dict) else None, "session's user")
        self._user(step, user_id)
        try:
            outcome = step.write("DELETE", f"/api/v1/sessions/{_seg(session_id)}", expected=(204, 200))
        except OktaNotFoundError:
            raise _no_change("session ended meanwhile") from None
        return outcome, f"session of user {user_id} revoked"

    # -- network zones -------------------------------------------------------------------------------
    def _zone_id(self, step: _Step) -> str:
        if self.policy.blocklist_zone_id is not None:
            return self.policy.blocklist_zone_id
        zones = step.read("/api/v1/zones", {"filter": 'usage eq "BLOCKLIST"'})
        candidates = [
            z for z in (zones if isinstance(zones, list) else [])
            if isinstance(z, dict) and z.get("type") == "IP" and z.get("usage") == "BLOCKLIST"
        ]
        if not candidates:
            raise _Refused(FAILED, "the org has no IP BLOCKLIST zone; create one or configure its id")
        if len(candidates) > 1:
            ids = ", ".join(str(z.get("id")) for z in candidates)
            raise _Refused(REFUSED, f"several BLOCKLIST zones ({ids}); configure which one to use")
        return _answered_id(candidates[0].get("id"), "zone")

    def _zone(self, step: _Step, zone_id: str) -> dict[str, Any]:
        zone = step.read(f"/api/v1/zones/{_seg(zone_id)}")
        if not isinstance(zone, dict) or not isinstance(zone.get("gateways", []), (list, type(None))):
            raise InvalidResponseError("Okta answered the zone lookup with something that is not a zone")
        if zone.get("type") != "IP" or zone.get("usage") != "BLOCKLIST":
            kind = f"{zone.get('type')}/{zone.get('usage')}"
            raise _Refused(REFUSED, f"zone {display(zone_id)} is {kind}, not IP/BLOCKLIST")
        return zone

    def _change_zone(self, action: str, network: Any, zone: dict[str, Any], step: _Step) -> tuple[str, str]:
        """One read-modify-write of ``zone`` (already read)."""
        gateways = list(zone.get("gateways") or [])
        name = f"zone {zone.get('name') or zone.get('id')}"
        if action == "block_ip":
            covering = gateways_covering(gateways, network)
            if covering:
                raise _no_change(f"{network} already blocked by {covering[0].get('value')} in {name}")
            new_gateways = [*gateways, gateway_for(network)]
            detail = f"{network} added to {name} ({len(new_gateways)} entries)"
        else:
            try:
                kept = without_gateway(gateways, network)
            except ContainmentRefused as exc:
                raise _Refused(REFUSED, str(exc)) from None
            if kept is None:
                raise _no_change(f"{network} is not in {name}")
            new_gateways = kept
            detail = f"{network} removed from {name} ({len(new_gateways)} entries)"
        try:
            body = replacement_body(zone, new_gateways)
        except ContainmentRefused as exc:
            raise _Refused(REFUSED, str(exc)) from None
        path = f"/api/v1/zones/{_seg(str(zone.get('id')))}"
        return step.write("PUT", path, body=body, expected=(200,)), detail

    def ip_action(self, action: str, network: Any, step: _Step) -> tuple[str, str]:
        """Read-modify-write of the zone, then read it again: when a concurrent writer replaced the zone
        and our change is gone, do it again (bounded)."""
        if action == "block_ip":
            try:
                check_blockable(network, self.policy)
            except ContainmentRefused as exc:
                raise _Refused(REFUSED, str(exc)) from None
        zone_id = self._zone_id(step)
        for attempt in range(_ZONE_ATTEMPTS):
            try:
                outcome, detail = self._change_zone(action, network, self._zone(step, zone_id), step)
            except _Refused as exc:
                if attempt and exc.outcome == NO_CHANGE:  # someone else made the same change meanwhile
                    return SUCCESS, exc.detail
                raise
            if outcome == DRY_RUN:
                return outcome, detail
            gateways = list(self._zone(step, zone_id).get("gateways") or [])
            held = contains_exactly(gateways, network) == (action == "block_ip")
            if held:
                return outcome, detail + (" after a concurrent change of the zone" if attempt else "")
        raise _Refused(FAILED, f"the zone changed under every one of {_ZONE_ATTEMPTS} attempts; retry later")

    def run_one(self, action: str, target: Any, shown: str) -> ActionResult:
        step = _Step(self.client, self.base_url, self.dry_run)
        outcome, detail = FAILED, ""
        error_code = error_id = None
        try:
            kind = ACTIONS[action]
            if kind == USER:
                outcome, detail = self.user_action(action, target, step)
            elif kind == IP:
                outcome, detail = self.ip_action(action, target, step)
            else:
                outcome, detail = self.session_action(target, step)
            if outcome == DRY_RUN:
                detail = "dry run, would have: " + detail
        except _Refused as exc:
            outcome, detail = exc.outcome, exc.detail
        except OktaError as exc:
            outcome, detail = FAILED, f"Okta answered {exc.status}: {exc.summary or exc}"
            error_code, error_id = exc.error_code, exc.error_id
        except OktaIRError as exc:
            outcome, detail = FAILED, str(exc)
        except Exception as exc:  # the run goes on with the other targets; the audit shows this one failed
            outcome, detail = FAILED, f"unexpected {type(exc).__name__}: {display(exc)}"
        return ActionResult(
            action=action, target=shown, outcome=outcome, detail=detail, error_code=error_code,
            error_id=error_id, user_id=step.user_id, dry_run=self.dry_run, requests=tuple(step.requests),
        )


def _dedupe_key(kind: str, value: Any) -> str:
    return str(value).lower() if kind == USER else str(value)


def run_action(
    client: Any,
    action: str,
    targets: Iterable[str],
    policy: Optional[ContainmentPolicy] = None,
    *,
    dry_run: bool = False,
    org_url: Optional[str] = None,
) -> list[ActionResult]:
    """Run one containment action on every distinct target; one ``ActionResult`` per target, in order.

    Invalid targets are refused one by one; more distinct targets than ``policy.max_targets`` refuses them
    all and sends nothing. Empty values (rows without the field) are skipped.
    """
    name = normalize_action(action)
    policy = policy or ContainmentPolicy()
    kind = ACTIONS[name]
    base_url = (org_url or str(getattr(client, "org_url", "") or "")).rstrip("/")
    seen: dict[str, tuple[Any, str]] = {}
    invalid: list[ActionResult] = []
    raw_values = [t for t in targets if t != ""]
    for raw in raw_values:
        shown = display(raw)
        try:
            parsed = _PARSERS[kind](raw)
        except ContainmentRefused as exc:
            if not any(r.target == shown for r in invalid):
                invalid.append(ActionResult(name, shown, REFUSED, str(exc), dry_run=dry_run))
            continue
        seen.setdefault(_dedupe_key(kind, parsed), (parsed, str(parsed)))
    try:
        check_blast_radius(len(seen) + len(invalid), policy)
    except ContainmentRefused as exc:
        shown_all = [s for _, s in seen.values()] + [r.target for r in invalid]
        return [ActionResult(name, s, REFUSED, str(exc), dry_run=dry_run) for s in shown_all]
    runner = _Runner(client, policy, dry_run, base_url)
    results = [runner.run_one(name, parsed, shown) for parsed, shown in seen.values()]
    return results + invalid


def contain_compromise(
    client: Any,
    user_login: str,
    attacker_ip: Optional[str] = None,
    policy: Optional[ContainmentPolicy] = None,
    *,
    dry_run: bool = False,
    org_url: Optional[str] = None,
) -> list[ActionResult]:
    """The account-takeover playbook: suspend, clear sessions, quarantine (if a group is set), block IP."""
    policy = policy or ContainmentPolicy()
    steps: list[tuple[str, Sequence[str]]] = [("suspend", [user_login]), ("clear_sessions", [user_login])]
    if policy.quarantine_group_id:
        steps.append(("quarantine", [user_login]))
    if attacker_ip:
        steps.append(("block_ip", [attacker_ip]))
    results: list[ActionResult] = []
    for action, targets in steps:
        results.extend(run_action(client, action, targets, policy, dry_run=dry_run, org_url=org_url))
    return results
