"""A small Okta org story for the dashboard and report tests: normal sign-ins, a password spray,
a takeover with SSO and admin changes, a rate-limit warning and a ThreatInsight event; plus
containment audit records."""
from __future__ import annotations

import datetime as dt
from typing import Any

T0 = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.timezone.utc)
PLACES = {
    "US": ("San Francisco", 37.77, -122.42),
    "DE": ("Berlin", 52.52, 13.40),
    "RO": ("Bucharest", 44.43, 26.10),
}


def okta_event(
    n: int,
    minutes: float,
    event_type: str,
    actor: str,
    ip: str,
    country: str = "US",
    result: str = "SUCCESS",
    session: str | None = None,
    targets: list[dict[str, Any]] | None = None,
    ua: str = "Mozilla/5.0 (Macintosh)",
    reason: str | None = None,
) -> dict[str, Any]:
    """One System Log event shaped like the API's LogEvent."""
    city, lat, lon = PLACES[country]
    event: dict[str, Any] = {
        "uuid": f"00000000-0000-4000-8000-{n:012d}",
        "published": (T0 + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "eventType": event_type,
        "version": "0",
        "severity": "INFO",
        "displayMessage": event_type.replace(".", " "),
        "actor": {"id": f"00u{n}", "type": "User", "alternateId": actor, "displayName": actor.split("@")[0]},
        "client": {
            "ipAddress": ip,
            "userAgent": {"rawUserAgent": ua, "os": "Mac OS X", "browser": "CHROME"},
            "geographicalContext": {
                "city": city,
                "country": country,
                "geolocation": {"lat": lat, "lon": lon},
            },
        },
        "outcome": {"result": result, "reason": reason},
        "target": targets or [],
        "authenticationContext": {"externalSessionId": session} if session else {},
        "securityContext": {"asNumber": 64500 + ord(country[0]), "isp": f"isp-{country.lower()}"},
        "debugContext": {"debugData": {}},
    }
    return event


def app(name: str) -> dict[str, Any]:
    """An AppInstance target."""
    return {"id": f"0oa{name}", "type": "AppInstance", "alternateId": name, "displayName": name}


def user(login: str) -> dict[str, Any]:
    """A User target."""
    return {"id": f"00u{login}", "type": "User", "alternateId": login, "displayName": login}


def story() -> list[dict[str, Any]]:
    """The events, in publication order."""
    events: list[dict[str, Any]] = []

    def add(*args: Any, **kwargs: Any) -> None:
        events.append(okta_event(len(events) + 1, *args, **kwargs))

    for i, login in enumerate(("ann@example.com", "bob@example.com", "cat@example.com")):
        add(5 + i, "user.session.start", login, f"198.51.100.{10 + i}", session=f"102sess{i}")
        add(
            6 + i,
            "user.authentication.sso",
            login,
            f"198.51.100.{10 + i}",
            session=f"102sess{i}",
            targets=[app("Slack")],
        )
    spray_ip = "203.0.113.66"
    for i, login in enumerate(
        (
            "ann@example.com",
            "bob@example.com",
            "cat@example.com",
            "dan@example.com",
            "eve@example.com",
            "fay@example.com",
            "gus@example.com",
            "hal@example.com",
            "ivy@example.com",
            "jon@example.com",
            "kim@example.com",
            "lou@example.com",
        )
    ):
        add(
            30 + i * 0.5,
            "user.session.start",
            login,
            spray_ip,
            country="RO",
            result="FAILURE",
            reason="INVALID_CREDENTIALS",
            ua="python-requests/2.31",
        )
    add(
        40,
        "user.session.start",
        "bob@example.com",
        spray_ip,
        country="RO",
        session="102evil",
        ua="python-requests/2.31",
    )
    for i, name in enumerate(("Salesforce", "Workday", "GitHub", "AWS", "Box", "Jira")):
        add(
            41 + i,
            "user.authentication.sso",
            "bob@example.com",
            spray_ip,
            country="RO",
            session="102evil",
            targets=[app(name)],
            ua="python-requests/2.31",
        )
    add(
        48,
        "user.session.access_admin_app",
        "bob@example.com",
        spray_ip,
        country="RO",
        session="102evil",
        ua="python-requests/2.31",
    )
    add(
        49,
        "user.account.privilege.grant",
        "bob@example.com",
        spray_ip,
        country="RO",
        session="102evil",
        targets=[user("bob@example.com")],
        ua="python-requests/2.31",
    )
    add(
        50,
        "user.mfa.factor.reset_all",
        "bob@example.com",
        spray_ip,
        country="RO",
        session="102evil",
        targets=[user("cat@example.com")],
        ua="python-requests/2.31",
    )
    add(55, "system.org.rate_limit.warning", "system@okta.com", "198.51.100.200", country="DE")
    add(
        56,
        "security.threat.detected",
        "unknown",
        spray_ip,
        country="RO",
        result="DENY",
        reason="Password Spray",
    )
    add(60, "user.session.start", "ann@example.com", "198.51.100.10", country="DE", session="102sess9")
    return events


def audit_records() -> list[dict[str, Any]]:
    """Containment audit events as the alert actions write them (sourcetype okta:ir:action)."""
    base = {
        "sid": "scheduler__admin_c2",
        "org": "example.okta.com",
        "owner": "admin",
        "error_code": None,
        "error_id": None,
    }
    return [
        {
            **base,
            "time": "2026-11-02T08:52:00Z",
            "search_name": "Okta Password Spraying From One IP",
            "action": "suspend",
            "target": "bob@example.com",
            "outcome": "success",
            "dry_run": "false",
        },
        {
            **base,
            "time": "2026-11-02T08:53:00Z",
            "search_name": "Okta Password Spraying From One IP",
            "action": "clear_sessions",
            "target": "bob@example.com",
            "outcome": "success",
            "dry_run": "false",
        },
        {
            **base,
            "time": "2026-11-02T08:54:00Z",
            "search_name": "Okta Admin Console Accessed From A Proxy Or Scripted Client",
            "action": "suspend",
            "target": "cat@example.com",
            "outcome": "success",
            "dry_run": "false",
        },
        {
            **base,
            "time": "2026-11-02T09:10:00Z",
            "search_name": "Okta Admin Console Accessed From A Proxy Or Scripted Client",
            "action": "unsuspend",
            "target": "cat@example.com",
            "outcome": "success",
            "dry_run": "false",
        },
        {
            **base,
            "time": "2026-11-02T08:55:00Z",
            "search_name": "Okta Admin Console Accessed From A Proxy Or Scripted Client",
            "action": "quarantine",
            "target": "eve@example.com",
            "outcome": "failure",
            "dry_run": "false",
            "error_code": "E0000007",
            "error_id": "oaeXYZ",
        },
        {
            **base,
            "time": "2026-11-02T08:56:00Z",
            "search_name": "Okta Admin Console Accessed From A Proxy Or Scripted Client",
            "action": "suspend",
            "target": "dan@example.com",
            "outcome": "success",
            "dry_run": "true",
        },
    ]
