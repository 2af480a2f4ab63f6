from __future__ import annotations

from typing import Any

import pytest

from dashboards.snapshots import Scenario, detections, lifecycle, snapshots_for
from dashboards.sources import definitions, hunt


def rows(snap: dict[str, Any]) -> list[list[Any]]:
    return [list(r) for r in zip(*snap["columns"])]


@pytest.fixture(scope="module")
def scenario(story_events: list[dict[str, Any]], story_audit: list[dict[str, Any]]) -> Scenario:
    return hunt(story_events, story_audit)


@pytest.fixture(scope="module")
def defs() -> dict[str, dict[str, Any]]:
    return definitions()


def test_every_data_source_of_every_dashboard_has_a_snapshot(
    scenario: Scenario, defs: dict[str, Any]
) -> None:
    for name, definition in defs.items():
        assert set(snapshots_for(name, scenario)) == set(definition["dataSources"]), name


def test_lifecycle_counts_hits_and_entities_per_stage(scenario: Scenario) -> None:
    snaps = lifecycle(scenario)
    recon = rows(snaps["ds_reconnaissance_entities"])
    # the spray correlation is grouped by IP; the ThreatInsight event's actor is Okta's "unknown"
    assert recon == [
        ["203.0.113.66", 1, 1, ["Okta Password Spraying From One IP"]],
        ["unknown", 1, 1, ["Okta ThreatInsight Security Threat Detected"]],
    ]
    foothold = rows(snaps["ds_foothold_escalation_entities"])
    assert foothold == [
        [
            "bob@example.com",
            3,
            3,
            [
                "Okta Admin Console Accessed From A Proxy Or Scripted Client",
                "Okta Administrator Privilege Granted To A User Or Group",
                "Okta MFA Factor Deactivated Or Reset",
            ],
        ]
    ]
    hits = snaps["ds_initial_compromise_hits"]
    series = {f["name"]: sum(col) for f, col in zip(hits["fields"][1:], hits["columns"][1:])}
    assert series == {
        "Okta Sign-In With A Scripted User Agent": 1,
        "Okta Sign-Ins Of One User From Several Countries": 2,
        "Okta Successful Sign-In After A Failure Burst From The Same IP": 1,
    }


def test_detections_dashboard_from_findings_and_audit(scenario: Scenario) -> None:
    snaps = detections(scenario)
    fired = {r[0]: r[1:3] for r in rows(snaps["ds_fired"])}
    assert fired["Okta Sign-Ins Of One User From Several Countries"] == ["medium", 2]
    assert sum(r[2] for r in rows(snaps["ds_fired"])) == len(scenario.findings)
    assert rows(snaps["ds_outcomes"]) == [["failure", 1], ["success", 5]]
    # bob suspended and never released; cat released; eve's quarantine failed; dan's suspend was a dry run
    assert rows(snaps["ds_contained"]) == [
        ["bob@example.com", "SUSPENDED", "11/02/2026 08:52:00", "Okta Password Spraying From One IP"]
    ]
    acted = {r[0]: r[1:] for r in rows(snaps["ds_acted_on"])}
    assert acted["Okta Password Spraying From One IP"] == [
        2,
        ["bob@example.com"],
        ["clear_sessions", "suspend"],
    ]
    actions = rows(snaps["ds_actions"])
    assert actions[0][:5] == [
        "2026-11-02T09:10:00",
        "Okta Admin Console Accessed From A Proxy Or Scripted Client",
        "unsuspend",
        "cat@example.com",
        "success",
    ]
    assert [r[7] for r in actions if r[3] == "eve@example.com"] == ["oaeXYZ"]


def test_unknown_dashboard_is_refused(scenario: Scenario) -> None:
    with pytest.raises(KeyError, match="no snapshots for dashboard 'nope'"):
        snapshots_for("nope", scenario)
