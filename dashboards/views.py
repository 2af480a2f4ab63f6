"""Snapshots of the overview and investigation dashboards: each data source's result, computed from events.

Each function mirrors the SPL of one data source id of ``dashboards/<name>.json`` with the dashboard's
default tokens (time range covering the events, free-text filter ``*``, every pivot ``*``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable

from dashboards.tabulate import (
    Event,
    Snapshot,
    count_by,
    ctime,
    event_time,
    first_last,
    path,
    snapshot,
    timechart,
)

ADMIN_EVENT_TYPES = frozenset(
    (
        "user.session.access_admin_app",
        "user.account.privilege.grant",
        "user.account.privilege.revoke",
        "group.privilege.grant",
        "user.mfa.factor.deactivate",
        "user.mfa.factor.reset_all",
        "user.mfa.factor.activate",
        "system.mfa.factor.deactivate",
        "user.account.reset_password",
        "user.account.update_password",
        "user.lifecycle.password_reset",
        "zone.create",
        "zone.update",
        "zone.delete",
        "zone.deactivate",
        "policy.lifecycle.create",
        "policy.lifecycle.update",
        "policy.lifecycle.deactivate",
        "policy.rule.create",
        "policy.rule.update",
        "policy.rule.deactivate",
        "group.user_membership.add",
        "application.user_membership.add",
        "system.api_token.create",
    )
)
RATE_LIMIT_PREFIXES = ("system.org.rate_limit.", "system.operation.rate_limit.")


def _failed(events: Sequence[Event]) -> list[Event]:
    return [e for e in events if path(e, "outcome.result") == "FAILURE"]


def _distinct(events: Sequence[Event], dotted: str) -> int:
    return len({path(e, dotted) for e in events if path(e, dotted) not in (None, "")})


def _values(events: Sequence[Event], dotted: str) -> list[str]:
    return sorted({str(path(e, dotted)) for e in events if path(e, dotted) not in (None, "")})


def _count_first_last(
    events: Sequence[Event], keys: Sequence[Callable[[Event], Any]]
) -> dict[tuple, list[Event]]:
    groups: dict[tuple, list[Event]] = {}
    for event in events:
        key = tuple(k(event) for k in keys)
        if any(part in (None, "") for part in key):
            continue  # stats drops rows whose by-fields are null
        groups.setdefault(key, []).append(event)
    return groups


def _top_failing(events: Sequence[Event], by: str, other: str, other_name: str, extra: bool) -> Snapshot:
    groups = _count_first_last(_failed(events), [lambda e: path(e, by)])
    rows = []
    for (value,), members in groups.items():
        row: list[Any] = [value, len(members), _distinct(members, other)]
        if extra:
            row.append(_values(members, "client.geographicalContext.country"))
        rows.append(row)
    rows.sort(key=lambda r: (-r[1], r[0]))
    head = "user" if by == "actor.alternateId" else "src_ip"
    fields = [head, "failures", other_name] + (["country"] if extra else [])
    return snapshot(fields, rows[:10])


def _geo(events: Sequence[Event]) -> Snapshot:
    cells: dict[tuple, int] = {}
    for event in events:
        if event.get("eventType") != "user.session.start":
            continue
        lat = path(event, "client.geographicalContext.geolocation.lat")
        lon = path(event, "client.geographicalContext.geolocation.lon")
        if lat is None or lon is None:
            continue
        key = (round(float(lat), 1), round(float(lon), 1))
        cells[key] = cells.get(key, 0) + 1
    return snapshot(["lat", "lon", "count"], [[lat, lon, n] for (lat, lon), n in sorted(cells.items())])


def _events_with(events: Sequence[Event], predicate: Callable[[Event], bool]) -> list[Event]:
    return [e for e in events if predicate(e)]


def _when_table(groups: dict[tuple, list[Event]], fields: Sequence[str]) -> Snapshot:
    rows = []
    for key, members in groups.items():
        first, last = first_last(event_time(e) for e in members)
        rows.append([*key, len(members), ctime(first), ctime(last)])
    rows.sort(key=lambda r: (-r[len(fields)], *[str(x) for x in r[: len(fields)]]))
    return snapshot([*fields, "count", "first_seen", "last_seen"], rows)


def _rate_limit(events: Sequence[Event]) -> Snapshot:
    hits = _events_with(events, lambda e: str(e.get("eventType", "")).startswith(RATE_LIMIT_PREFIXES))
    rows = []
    for (etype,), members in _count_first_last(hits, [lambda e: e.get("eventType")]).items():
        first, last = first_last(event_time(e) for e in members)
        rows.append([etype, len(members), ctime(first), ctime(last), _values(members, "client.ipAddress")])
    rows.sort(key=lambda r: (-r[1], r[0]))
    return snapshot(["eventType", "count", "first_seen", "last_seen", "src_ip"], rows)


def overview(events: Sequence[Event]) -> dict[str, Snapshot]:
    """Every data source of ``overview.json``."""
    threats = _events_with(events, lambda e: e.get("eventType") == "security.threat.detected")
    return {
        "ds_total": snapshot(["count"], [[len(events)]]),
        "ds_failures": snapshot(["count"], [[len(_failed(events))]]),
        "ds_users": snapshot(["users"], [[_distinct(events, "actor.alternateId")]]),
        "ds_ips": snapshot(["ips"], [[_distinct(events, "client.ipAddress")]]),
        "ds_over_time": timechart(events, lambda e: path(e, "outcome.result")),
        "ds_by_eventtype": timechart(events, lambda e: e.get("eventType")),
        "ds_top_actors": count_by(events, lambda e: path(e, "actor.alternateId"), 10, "actor"),
        "ds_top_targets": count_by(events, lambda e: path(e, "target{}.alternateId"), 10, "target"),
        "ds_outcomes": count_by(events, lambda e: path(e, "outcome.result"), None, "outcome"),
        "ds_geo": _geo(events),
        "ds_failing_users": _top_failing(events, "actor.alternateId", "client.ipAddress", "ips", False),
        "ds_failing_ips": _top_failing(events, "client.ipAddress", "actor.alternateId", "users", True),
        "ds_rate_limit": _rate_limit(events),
        "ds_threat": _when_table(
            _count_first_last(
                threats, [lambda e: path(e, "client.ipAddress"), lambda e: path(e, "outcome.reason")]
            ),
            ["src_ip", "reason"],
        ),
    }


def _pivot_columns(event: Event) -> dict[str, str]:
    def dash(dotted: str) -> str:
        value = path(event, dotted)
        return "-" if value in (None, "") else str(value)

    return {
        "user": dash("actor.alternateId"),
        "src_ip": dash("client.ipAddress"),
        "session_id": dash("authenticationContext.externalSessionId"),
        "user_agent": dash("client.userAgent.rawUserAgent"),
        "country": dash("client.geographicalContext.country"),
    }


def _sso_app(event: Event) -> Any:
    for target in event.get("target") or []:
        if isinstance(target, dict) and target.get("type") == "AppInstance":
            return target.get("displayName")
    return None


def _stamp(event: Event) -> str:
    return event_time(event).strftime("%Y-%m-%dT%H:%M:%S")


def _iocs(events: Sequence[Event]) -> Snapshot:
    sightings: dict[tuple, list[Event]] = {}
    for event in events:
        cols = _pivot_columns(event)
        candidates = [
            ("ip", cols["src_ip"]),
            ("user_agent", cols["user_agent"]),
            ("asn", path(event, "securityContext.asNumber")),
            ("isp", path(event, "securityContext.isp")),
            ("session", cols["session_id"]),
        ]
        for kind, value in candidates:
            if value in (None, "", "-"):
                continue
            sightings.setdefault((kind, str(value)), []).append(event)
    rows = []
    for (kind, value), members in sightings.items():
        first, last = first_last(event_time(e) for e in members)
        rows.append([kind, value, len(members), ctime(first), ctime(last)])
    rows.sort(key=lambda r: (r[0], -r[2], r[1]))
    return snapshot(["type", "value", "count", "first_seen", "last_seen"], rows)


def pivot_matches(event: Event, pivot: str) -> bool:
    """``search pivot_any=<pivot>``: any of the pivot columns or target ids equals it (case-insensitive)."""
    if pivot == "*":
        return True
    values = [*_pivot_columns(event).values(), *map(str, path(event, "target{}.alternateId"))]
    return pivot.lower() in (v.lower() for v in values)


def investigation(events: Sequence[Event], pivot: str = "*") -> dict[str, Snapshot]:
    """Every data source of ``investigation.json``: typed pivots at ``*``, the any-value pivot as given."""
    ordered = sorted((e for e in events if pivot_matches(e, pivot)), key=event_time)
    timeline = []
    for event in ordered[:500]:
        cols = _pivot_columns(event)
        timeline.append(
            [
                _stamp(event),
                event.get("eventType"),
                cols["user"],
                cols["src_ip"],
                cols["country"],
                cols["session_id"],
                path(event, "outcome.result"),
                event.get("displayMessage"),
            ]
        )
    sso = _count_first_last(
        [e for e in ordered if e.get("eventType") == "user.authentication.sso"],
        [
            lambda e: _pivot_columns(e)["session_id"],
            lambda e: _pivot_columns(e)["user"],
            _sso_app,
            lambda e: _pivot_columns(e)["src_ip"],
        ],
    )
    sso_rows = []
    for key, members in sso.items():
        first, last = first_last(event_time(e) for e in members)
        sso_rows.append([*key, len(members), first, last])
    sso_rows.sort(key=lambda r: r[5])
    admin = [
        [
            _stamp(e),
            e.get("eventType"),
            _pivot_columns(e)["user"],
            ", ".join(map(str, path(e, "target{}.alternateId"))),
            _pivot_columns(e)["src_ip"],
            path(e, "outcome.result"),
        ]
        for e in ordered
        if e.get("eventType") in ADMIN_EVENT_TYPES
    ]
    return {
        "ds_pivot_timechart": timechart(ordered, lambda e: e.get("eventType")),
        "ds_pivot_events": snapshot(
            ["time", "event_type", "user", "src_ip", "country", "session_id", "outcome", "displayMessage"],
            timeline,
        ),
        "ds_sso": snapshot(
            ["session_id", "user", "app", "src_ip", "count", "first_seen", "last_seen"],
            [[*r[:5], ctime(r[5]), ctime(r[6])] for r in sso_rows],
        ),
        "ds_admin": snapshot(["time", "event_type", "user", "target", "src_ip", "outcome"], admin),
        "ds_iocs": _iocs(ordered),
    }
