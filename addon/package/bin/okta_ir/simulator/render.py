"""Render System Log events straight to JSON text from pre-serialized fragments (fast, schema-valid).

Each event is assembled from strings produced once by ``json.dumps`` (actor, client, request,
securityContext of a person) and a few per-event values, so a page of 1000 costs milliseconds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

from okta_ir.simulator.world import Agent, App, Place

__all__ = [
    "EventSpec",
    "actor_json",
    "auth_context_json",
    "client_json",
    "debug_json",
    "dumps",
    "event_json",
    "format_ms",
    "outcome_json",
    "request_json",
    "security_json",
    "target_json",
]

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def dumps(value: Any) -> str:
    """Compact JSON text."""
    return _dumps(value)


def format_ms(ms: int) -> str:
    """Epoch milliseconds -> Okta's ``2026-11-24T10:00:00.123Z``."""
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def _geo(place: Place) -> dict[str, Any]:
    return {
        "city": place.city,
        "state": place.state,
        "country": place.country,
        "postalCode": place.postal_code,
        "geolocation": {"lat": place.lat, "lon": place.lon},
    }


def actor_json(actor_id: str, actor_type: str, alternate_id: str, display_name: str) -> str:
    """The ``actor`` object."""
    return dumps(
        {"id": actor_id, "type": actor_type, "alternateId": alternate_id, "displayName": display_name}
    )


def client_json(agent: Optional[Agent], place: Optional[Place], ip: Optional[str], zone: str = "null") -> str:
    """The ``client`` object (``zone`` is the string "null" when none, as Okta writes it)."""
    client: dict[str, Any] = {}
    if agent is not None:
        client["userAgent"] = {"rawUserAgent": agent.raw, "os": agent.os, "browser": agent.browser}
    client["zone"] = zone
    if agent is not None:
        client["device"] = agent.device
    if ip is not None:
        client["ipAddress"] = ip
    if place is not None:
        client["geographicalContext"] = _geo(place)
    return dumps(client)


def request_json(place: Optional[Place], ip: Optional[str]) -> str:
    """The ``request`` object with its ``ipChain``."""
    if ip is None:
        return '{"ipChain":[]}'
    hop: dict[str, Any] = {"ip": ip}
    if place is not None:
        hop["geographicalContext"] = _geo(place)
    hop["version"] = "V6" if ":" in ip else "V4"
    return dumps({"ipChain": [hop]})


def security_json(place: Optional[Place], is_proxy: bool) -> str:
    """The ``securityContext`` object."""
    if place is None:
        return "{}"
    return dumps(
        {
            "asNumber": place.as_number,
            "asOrg": place.as_org,
            "isp": place.isp,
            "domain": place.domain,
            "isProxy": is_proxy,
        }
    )


def auth_context_json(
    session_id: Optional[str],
    credential_type: Optional[str] = None,
    provider: Optional[str] = None,
    step: int = 0,
) -> str:
    """The ``authenticationContext`` object (enum fields left out when Okta would write null)."""
    ctx: dict[str, Any] = {}
    if provider:
        ctx["authenticationProvider"] = provider
    if credential_type:
        ctx["credentialType"] = credential_type
    ctx["authenticationStep"] = step
    if session_id:
        ctx["externalSessionId"] = session_id
        ctx["rootSessionId"] = session_id
    return dumps(ctx)


def debug_json(
    request_id: str, uri: str, extra: Optional[dict[str, Any]] = None, threat: bool = False
) -> str:
    """The ``debugContext`` object."""
    data: dict[str, Any] = {"requestId": request_id, "requestUri": uri.split("?")[0], "url": uri}
    data["threatSuspected"] = "true" if threat else "false"
    if extra:
        data.update(extra)
    return dumps({"debugData": data})


def target_json(targets: Sequence[dict[str, Any]]) -> str:
    """The ``target`` array."""
    return dumps(list(targets))


def app_targets(app: App, app_user_id: str, login: str) -> list[dict[str, Any]]:
    """AppInstance + AppUser targets of an SSO event."""
    return [
        {
            "id": app.id,
            "type": "AppInstance",
            "alternateId": app.label,
            "displayName": app.label,
            "detailEntry": {"signOnModeType": app.sign_on_mode},
        },
        {"id": app_user_id, "type": "AppUser", "alternateId": login, "displayName": login},
    ]


@dataclass(frozen=True)
class EventSpec:
    """What an event says, apart from its uuid, time and transaction id (scenario and live events)."""

    event_type: str
    display: str
    legacy: Optional[str]
    actor: str
    client: str
    request: str
    security: str
    result: str = "SUCCESS"
    reason: Optional[str] = None
    severity: str = "INFO"
    session_id: Optional[str] = None
    credential: Optional[str] = None
    uri: str = "/api/v1/authn"
    targets: Sequence[dict[str, Any]] = ()
    extra: Optional[dict[str, Any]] = None
    threat: bool = False
    transaction_detail: Optional[dict[str, Any]] = None

    def text(self, uuid: str, published: str, transaction_id: str) -> str:
        """The event as JSON text."""
        provider = "OKTA_AUTHENTICATION_PROVIDER" if self.credential else None
        return event_json(
            uuid=uuid,
            published=published,
            event_type=self.event_type,
            display=dumps(self.display),
            legacy=self.legacy,
            severity=self.severity,
            actor=self.actor,
            client=self.client,
            auth_context=auth_context_json(self.session_id, self.credential, provider),
            outcome=outcome_json(self.result, self.reason),
            security=self.security,
            debug=debug_json(transaction_id, self.uri, self.extra, self.threat),
            transaction_id=transaction_id,
            request=self.request,
            targets=target_json(self.targets),
            transaction_detail=dumps(self.transaction_detail or {}),
        )


def outcome_json(result: str, reason: Optional[str]) -> str:
    """The ``outcome`` object (``reason`` left out when Okta would write null)."""
    return '{"result":"' + result + ('","reason":' + dumps(reason) + "}" if reason else '"}')


def event_json(
    *,
    uuid: str,
    published: str,
    event_type: str,
    display: str,
    legacy: Optional[str],
    severity: str,
    actor: str,
    client: str,
    auth_context: str,
    outcome: str,
    security: str,
    debug: str,
    transaction_id: str,
    request: str,
    targets: str,
    transaction_detail: str = "{}",
) -> str:
    """One LogEvent as JSON text, keys in Okta's order. All arguments but the plain ids are JSON text."""
    parts = [
        '{"actor":',
        actor,
        ',"client":',
        client,
        ',"authenticationContext":',
        auth_context,
        ',"displayMessage":',
        display,
        ',"eventType":"',
        event_type,
        '","outcome":',
        outcome,
        ',"published":"',
        published,
        '","securityContext":',
        security,
        ',"severity":"',
        severity,
        '","debugContext":',
        debug,
    ]
    if legacy:
        parts += [',"legacyEventType":"', legacy, '"']
    parts += [
        ',"transaction":{"type":"WEB","id":"',
        transaction_id,
        '","detail":',
        transaction_detail,
        '},"uuid":"',
        uuid,
        '","version":"0","request":',
        request,
        ',"target":',
        targets,
        "}",
    ]
    return "".join(parts)
