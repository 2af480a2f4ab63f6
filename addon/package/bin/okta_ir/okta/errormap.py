"""Okta error answers -> typed exceptions from okta_ir.errors, with messages that say what to do.

Error bodies: ``{errorCode, errorSummary, errorLink, errorId, errorCauses[{errorSummary}]}`` on the API,
``{error, error_description}`` on the OAuth token endpoint; non-JSON or empty bodies are tolerated.
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional

import httpx

from okta_ir.errors import (
    OktaAuthError,
    OktaBadRequestError,
    OktaError,
    OktaNotFoundError,
    OktaPermissionError,
    OktaRateLimitError,
    OktaServerError,
)

__all__ = [
    "ErrorBody",
    "api_error",
    "error_class_for_status",
    "likely_scope",
    "parse_error_body",
    "parse_www_authenticate",
    "token_error",
]

_AUTH_PARAM = re.compile(r'([A-Za-z0-9_\-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')

# path family -> (scope for reads, scope for writes)
_SCOPES: tuple[tuple[str, str, str], ...] = (
    ("/api/v1/logs", "okta.logs.read", "okta.logs.read"),
    ("/api/v1/zones", "okta.networkZones.read", "okta.networkZones.manage"),
    ("/api/v1/groups", "okta.groups.read", "okta.groups.manage"),
    ("/api/v1/sessions", "okta.sessions.read", "okta.sessions.manage"),
    ("/api/v1/users", "okta.users.read", "okta.users.manage"),
)


class ErrorBody:
    """The parts of an Okta error body; every field may be missing."""

    def __init__(
        self,
        code: Optional[str] = None,
        summary: Optional[str] = None,
        error_id: Optional[str] = None,
        causes: tuple[str, ...] = (),
    ) -> None:
        self.code = code
        self.summary = summary
        self.error_id = error_id
        self.causes = causes


def _short(text: Any, limit: int = 300) -> Optional[str]:
    if text is None:
        return None
    value = " ".join(str(text).split())
    return value if len(value) <= limit else value[: limit - 3] + "..."


def parse_error_body(response: httpx.Response) -> ErrorBody:
    """Okta API or OAuth error fields from a response body; empty ErrorBody when it is not such JSON."""
    try:
        data = json.loads(response.content) if response.content else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return ErrorBody()
    causes: list[str] = []
    for cause in data.get("errorCauses") or []:
        if isinstance(cause, dict) and cause.get("errorSummary"):
            causes.append(_short(cause["errorSummary"]) or "")
    code = data.get("errorCode") or data.get("error")
    summary = data.get("errorSummary") or data.get("error_description")
    return ErrorBody(
        code=_short(code, 80),
        summary=_short(summary),
        error_id=_short(data.get("errorId"), 80),
        causes=tuple(causes),
    )


def parse_www_authenticate(value: str) -> tuple[str, dict[str, str]]:
    """(scheme, params) of a ``WWW-Authenticate`` value, e.g. ``Bearer error="insufficient_scope"``."""
    value = value.strip()
    scheme, _, rest = value.partition(" ")
    if "=" in scheme:  # no scheme, parameters only
        scheme, rest = "", value
    params = {
        m.group(1).lower(): (m.group(2) if m.group(2) is not None else m.group(3))
        for m in _AUTH_PARAM.finditer(rest)
    }
    return scheme, params


def likely_scope(method: str, path: str) -> Optional[str]:
    """The OAuth scope a request on ``path`` most likely needs."""
    write = method.upper() not in ("GET", "HEAD")
    for prefix, read_scope, write_scope in _SCOPES:
        if path == prefix or path.startswith(prefix + "/"):
            return write_scope if write else read_scope
    return None


def error_class_for_status(status: int) -> type[OktaError]:
    """The exception class for an HTTP error status."""
    if status == 400:
        return OktaBadRequestError
    if status == 401:
        return OktaAuthError
    if status == 403:
        return OktaPermissionError
    if status == 404:
        return OktaNotFoundError
    if status == 429:
        return OktaRateLimitError
    if status >= 500:
        return OktaServerError
    return OktaBadRequestError


def _what_okta_said(body: ErrorBody, status: int) -> str:
    parts = [f"HTTP {status}"]
    if body.code:
        parts.append(body.code)
    said = ", ".join(parts)
    if body.summary:
        said += f": {body.summary}"
    if body.causes:
        said += f" ({'; '.join(body.causes)})"
    if body.error_id:
        said += f" [errorId {body.error_id}]"
    return said


def api_error(
    response: httpx.Response,
    *,
    method: str,
    path: str,
    auth_kind: str,
    reset_in: Optional[float] = None,
) -> OktaError:
    """The typed error for an API error answer. ``auth_kind`` is "api_token" or "oauth"."""
    status = response.status_code
    body = parse_error_body(response)
    said = _what_okta_said(body, status)
    where = f"{method.upper()} {path}"
    cls = error_class_for_status(status)
    kwargs: dict[str, Any] = dict(
        status=status, error_code=body.code, summary=body.summary, error_id=body.error_id, causes=body.causes
    )
    if status == 401:
        if auth_kind == "api_token":
            hint = "check the API token / it may be revoked or expired, or belong to another org"
        else:
            hint = (
                "the access token was refused: check the service app's client id, key and that it is active"
            )
        message = f"Okta rejected the credentials on {where} ({said}): {hint}"
    elif status == 403:
        _, params = parse_www_authenticate(response.headers.get("www-authenticate", ""))
        if params.get("error") == "insufficient_scope":
            scope = params.get("scope") or likely_scope(method, path) or "the scope this API needs"
            message = (
                f"Okta refused {where}: the access token lacks a scope (insufficient_scope): "
                f"grant {scope} to the service app and request it in the configured scopes"
            )
            kwargs["error_code"] = body.code or "insufficient_scope"
        else:
            message = (
                f"Okta refused {where} ({said}): the credential's admin role does not allow this, "
                "or the object's state forbids it"
            )
    elif status == 404:
        message = (
            f"Okta found nothing at {where} ({said}): check the id or login (and that the org URL is right)"
        )
    elif status == 429:
        wait = f" for {reset_in:.0f} s more" if reset_in is not None else ""
        message = (
            f"Okta rate limit hit on {where} ({said}) and it persists{wait}: wait for the window to reset, "
            "lower the polling frequency or rate_limit_share, or ask Okta for a higher limit"
        )
        kwargs["reset_in"] = reset_in
    elif status >= 500:
        message = f"Okta failed on {where} ({said}) after retries: retry later or narrow the query"
    elif status == 400:
        message = f"Okta rejected the request {where} ({said}): fix the parameter, filter or body it names"
    else:
        message = f"unexpected answer from Okta on {where} ({said})"
    return cls(message, **kwargs)


_TOKEN_HINTS: dict[str, tuple[type[OktaError], str]] = {
    "invalid_client": (
        OktaAuthError,
        "check the client id, that the app's public key (kid) is registered in Okta, that the app uses "
        "'Public key / Private key' client authentication, and that this machine's clock is correct",
    ),
    "unauthorized_client": (OktaAuthError, "enable the Client Credentials grant on the service app"),
    "invalid_grant": (OktaAuthError, "check the service app's grant settings and the client assertion"),
    "invalid_dpop_proof": (
        OktaAuthError,
        "the DPoP proof was refused: check this machine's clock, or turn DPoP off if not required",
    ),
    "invalid_token": (OktaAuthError, "the token was refused: check the service app credentials"),
    "invalid_scope": (
        OktaPermissionError,
        "grant the requested scopes to the service app (Okta API Scopes tab) or remove them from settings",
    ),
    "access_denied": (
        OktaPermissionError,
        "the authorization server policy refused the request: check the app's scopes and admin roles",
    ),
    "insufficient_scope": (OktaPermissionError, "grant the missing scope to the service app"),
    "invalid_request": (
        OktaBadRequestError,
        "the token request was malformed: check the client id and scopes",
    ),
}


def token_error(response: httpx.Response, *, scopes: tuple[str, ...], dpop: bool = True) -> OktaError:
    """The typed error for a refused token request (never contains the client assertion)."""
    status = response.status_code
    body = parse_error_body(response)
    said = _what_okta_said(body, status)
    kwargs: dict[str, Any] = dict(
        status=status, error_code=body.code, summary=body.summary, error_id=body.error_id, causes=body.causes
    )
    hint_entry = _TOKEN_HINTS.get(body.code or "")
    if hint_entry is not None:
        cls, hint = hint_entry
        if body.code == "invalid_scope":
            hint = f"scopes requested: {' '.join(scopes)}; {hint}"
        elif body.code == "invalid_dpop_proof" and not dpop:
            hint = "the service app requires DPoP: enable DPoP in the account settings"
    elif status >= 500:
        cls, hint = OktaServerError, "Okta's authorization server failed: retry later"
    elif status == 429:
        cls, hint = OktaRateLimitError, "too many token requests: wait a minute"
    elif status == 404:
        cls, hint = OktaNotFoundError, "no token endpoint there: check the org URL"
    elif status in (401, 403):
        cls, hint = error_class_for_status(status), "check the service app credentials and its scopes"
    else:
        cls, hint = OktaAuthError, "check the service app settings (client id, key, grant type, scopes)"
    return cls(f"Okta refused the OAuth token request ({said}): {hint}", **kwargs)
