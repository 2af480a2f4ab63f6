"""Okta LogEvent builder and reference-data location shared by the detection toolchain's tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "okta-reference"


def okta_event(
    uuid: str,
    published: str,
    event_type: str = "user.session.start",
    *,
    user: str = "alice@example.com",
    ip: str = "198.51.100.7",
    result: str = "SUCCESS",
    reason: str | None = None,
    targets: list[dict[str, Any]] | None = None,
    session: str = "sess-1",
    country: str = "France",
    proxy: bool = False,
    agent: str = "Mozilla/5.0",
) -> dict[str, Any]:
    """A LogEvent shaped like Okta's, with the fields the tests vary."""
    return {
        "uuid": uuid,
        "published": published,
        "eventType": event_type,
        "version": "0",
        "severity": "INFO",
        "displayMessage": event_type,
        "actor": {"id": "00u1", "type": "User", "alternateId": user, "displayName": user},
        "client": {
            "ipAddress": ip,
            "userAgent": {"rawUserAgent": agent, "os": "Linux", "browser": "CHROME"},
            "geographicalContext": {"country": country, "city": "Paris"},
        },
        "outcome": {"result": result, "reason": reason},
        "target": targets if targets is not None else [],
        "authenticationContext": {"externalSessionId": session},
        "securityContext": {"isProxy": proxy},
        "request": {"ipChain": [{"ip": ip, "geographicalContext": {"country": country}}]},
        "debugContext": {"debugData": {}},
    }
