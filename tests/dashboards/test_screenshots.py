"""The screenshots' data: the guide scenario hunted, and a real containment against the simulated org."""

from __future__ import annotations

from typing import Any

import pytest

from dashboards.screenshots import guide
from dashboards.snapshots import Scenario, detections


def rows(snap: dict[str, Any]) -> list[list[Any]]:
    return [list(r) for r in zip(*snap["columns"])]


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return guide(events=1500)


def test_the_guide_attack_reaches_every_stage(scenario: Scenario) -> None:
    stages = {f.stage for f in scenario.findings}
    assert {"reconnaissance", "initial_compromise", "foothold_escalation", "mission"} <= stages


def test_containment_audit_comes_from_the_real_actions(scenario: Scenario) -> None:
    from okta_ir.simulator import Simulator, SimulatorConfig

    facts = Simulator(SimulatorConfig(scenario="guide", seed=7, events=1500)).scenario_facts()
    by_action = {(a["action"], a["target"]): a for a in scenario.audit}
    victim = facts.compromised_login
    assert by_action[("suspend", victim)]["outcome"] == "success"
    assert by_action[("suspend", victim)]["dry_run"] is False
    assert by_action[("clear_sessions", victim)]["outcome"] == "success"
    assert by_action[("quarantine", victim)]["outcome"] == "success"
    assert by_action[("suspend", facts.protected_admin_login)]["outcome"] == "refused"
    assert by_action[("suspend", facts.sprayed_logins[0])]["outcome"] == "dry_run"
    assert all("requests" in a and "Authorization" not in str(a) for a in scenario.audit)
    snaps = detections(scenario)
    assert sorted(r[:2] for r in rows(snaps["ds_contained"])) == [
        [victim, "QUARANTINED"],
        [victim, "SUSPENDED"],
    ]
    assert {r[5] for r in rows(snaps["ds_actions"])} == {"true", "false"}  # dry_run as Splunk shows it
