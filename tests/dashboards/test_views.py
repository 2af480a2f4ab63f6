from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dashboards import views

DASHBOARDS = Path(__file__).resolve().parents[2] / "dashboards"


def rows(snap: dict[str, Any]) -> list[list[Any]]:
    return [list(r) for r in zip(*snap["columns"])]


def names(snap: dict[str, Any]) -> list[str]:
    return [f["name"] for f in snap["fields"]]


def test_overview_has_a_snapshot_for_exactly_its_data_sources(story_events: list[dict[str, Any]]) -> None:
    definition = json.loads((DASHBOARDS / "overview.json").read_text())
    assert set(views.overview(story_events)) == set(definition["dataSources"])


def test_overview_figures(story_events: list[dict[str, Any]]) -> None:
    snaps = views.overview(story_events)
    assert rows(snaps["ds_total"]) == [[31]]
    assert rows(snaps["ds_failures"]) == [[12]]
    assert rows(snaps["ds_users"]) == [[14]]  # 12 sprayed logins + system + unknown
    assert rows(snaps["ds_ips"]) == [[5]]
    assert rows(snaps["ds_outcomes"]) == [["SUCCESS", 18], ["FAILURE", 12], ["DENY", 1]]
    assert rows(snaps["ds_failing_ips"]) == [["203.0.113.66", 12, 12, ["RO"]]]
    assert rows(snaps["ds_failing_users"])[0] == ["ann@example.com", 1, 1]
    assert len(rows(snaps["ds_failing_users"])) == 10
    assert rows(snaps["ds_top_actors"])[0] == ["bob@example.com", 13]
    assert rows(snaps["ds_top_targets"])[0] == ["Slack", 3]
    # session starts: 4 in US (ann twice is 1 US + 1 DE), 13 from RO, 1 in DE
    assert rows(snaps["ds_geo"]) == [[37.8, -122.4, 3], [44.4, 26.1, 13], [52.5, 13.4, 1]]
    assert rows(snaps["ds_rate_limit"]) == [
        ["system.org.rate_limit.warning", 1, "11/02/2026 08:55:00", "11/02/2026 08:55:00", ["198.51.100.200"]]
    ]
    assert rows(snaps["ds_threat"]) == [
        ["203.0.113.66", "Password Spray", 1, "11/02/2026 08:56:00", "11/02/2026 08:56:00"]
    ]
    over_time = snaps["ds_over_time"]
    assert names(over_time) == ["_time", "DENY", "FAILURE", "SUCCESS"]
    assert [sum(col) for col in over_time["columns"][1:]] == [1, 12, 18]


def test_investigation_with_default_pivots(story_events: list[dict[str, Any]]) -> None:
    definition = json.loads((DASHBOARDS / "investigation.json").read_text())
    snaps = views.investigation(story_events)
    assert set(snaps) == set(definition["dataSources"])
    timeline = rows(snaps["ds_pivot_events"])
    assert len(timeline) == 31
    assert timeline[0][:7] == [
        "2026-11-02T08:05:00",
        "user.session.start",
        "ann@example.com",
        "198.51.100.10",
        "US",
        "102sess0",
        "SUCCESS",
    ]
    sso = rows(snaps["ds_sso"])
    assert [r[2] for r in sso if r[0] == "102evil"] == [
        "Salesforce",
        "Workday",
        "GitHub",
        "AWS",
        "Box",
        "Jira",
    ]
    assert [r[1] for r in rows(snaps["ds_admin"])] == [
        "user.session.access_admin_app",
        "user.account.privilege.grant",
        "user.mfa.factor.reset_all",
    ]
    assert rows(snaps["ds_admin"])[2][3] == "cat@example.com"
    iocs = rows(snaps["ds_iocs"])
    assert ["ip", "203.0.113.66", 23, "11/02/2026 08:30:00", "11/02/2026 08:56:00"] in iocs
    assert ["session", "102evil", 10, "11/02/2026 08:40:00", "11/02/2026 08:50:00"] in iocs
    assert all(r[1] != "-" for r in iocs)
    assert [r[0] for r in iocs] == sorted(r[0] for r in iocs)


def test_investigation_pivot_keeps_events_naming_the_value(story_events: list[dict[str, Any]]) -> None:
    snaps = views.investigation(story_events, pivot="CAT@example.com")
    timeline = rows(snaps["ds_pivot_events"])
    # cat's own sign-in, SSO and spray failure, plus bob's MFA reset targeting cat
    assert [(r[1], r[2]) for r in timeline] == [
        ("user.session.start", "cat@example.com"),
        ("user.authentication.sso", "cat@example.com"),
        ("user.session.start", "cat@example.com"),
        ("user.mfa.factor.reset_all", "bob@example.com"),
    ]
    assert rows(views.investigation(story_events, pivot="102evil")["ds_sso"])[0][:3] == [
        "102evil",
        "bob@example.com",
        "Salesforce",
    ]
