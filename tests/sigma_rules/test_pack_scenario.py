"""The pack on the simulator's org: the guide intrusion is detected in every lifecycle stage, from the
attacker's traffic only, and the same org's everyday traffic raises nothing."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from okta_ir.simulator import ScenarioFacts, Simulator, SimulatorConfig
from sigma_pack import RULES_DIR, STAGES

from detections.engine import HuntEngine
from detections.rules import load_rules

EVENTS = 20_000
SEED = 7


Event = dict[str, Any]
Hunt = tuple[list[Any], ScenarioFacts, dict[str, dict[str, Any]], list[dict[str, Any]]]


def _hunt(scenario: str) -> Hunt:
    simulator = Simulator(SimulatorConfig(scenario=scenario, seed=SEED, events=EVENTS))
    rules = load_rules(RULES_DIR)
    engine = HuntEngine(rules=rules)
    try:
        with simulator.serve() as running:
            raw = list(running.ground_truth_raw())
        report = engine.load_events(raw)
        assert report.loaded == len(raw) >= EVENTS
        findings = engine.run(rules)
    finally:
        engine.close()
    parsed = [json.loads(text) for text in raw]
    wanted = {u for f in findings for u in f.event_uuids}
    events = {e["uuid"]: e for e in parsed if e["uuid"] in wanted}
    return findings, simulator.scenario_facts(), events, parsed


@pytest.fixture(scope="module")
def guide() -> Hunt:
    return _hunt("guide")


def _by_title(findings: list[Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for f in findings:
        out.setdefault(f.title, []).append(f)
    return out


def _seconds(published: str) -> float:
    return datetime.fromisoformat(published.replace("Z", "+00:00")).timestamp()


def victim_signed_in_from_two_countries_within_an_hour(facts: ScenarioFacts, events: list[Event]) -> bool:
    """Computed from the raw events, independently of the engine."""
    sign_ins = sorted(
        (_seconds(e["published"]), e["client"]["geographicalContext"]["country"])
        for e in events
        if e["eventType"] == "user.session.start" and e["outcome"]["result"] == "SUCCESS"
        and e["actor"]["alternateId"] == facts.compromised_login
    )
    return any(b[0] - a[0] <= 3600 and a[1] != b[1] for i, a in enumerate(sign_ins) for b in sign_ins[i + 1:])


def expected_titles(facts: ScenarioFacts, events: list[dict[str, Any]]) -> set[str]:
    """The rules the guide must trip, from what the scenario says it did."""
    titles = {
        "Okta ThreatInsight Security Threat Detected",
        "Okta Successful Sign-In After A Failure Burst From The Same IP",
        "Okta Sign-In Through An Anonymising Proxy",
        "Okta MFA Push Fatigue",
        "Okta MFA Pushes Denied Repeatedly",
        "Okta Admin Console Accessed From A Proxy Or Scripted Client",
        "Okta MFA Factor Deactivated Or Reset",
        "Okta Administrator Privilege Granted To A User Or Group",
        "Okta Super Administrator Role Granted",
        "Okta User Added To A Privileged Group",
        "Okta Network Zone Updated, Deactivated Or Deleted",
        "Okta API Token Created",
        "Okta Single Sign-On Into A Sensitive Application From A Proxy Or Scripted Client",
    }
    if len(facts.enumerated_logins) >= 10:
        titles.add("Okta Username Enumeration From One IP")
    if len(facts.sprayed_logins) >= 5:
        titles.add("Okta Password Spraying From One IP")
    if len(facts.locked_logins) >= 3:
        titles.add("Okta Excessive Account Lockouts From One IP")
    if facts.attacker_user_agent.lower().startswith(("python-requests/", "curl/", "go-http-client/")):
        titles.add("Okta Sign-In With A Scripted User Agent")
    if len(facts.targeted_apps) >= 5:
        titles.add("Okta Session Signs Into Many Applications")
    if facts.roaming_ip != facts.spray_ip:
        titles.add("Okta Session Used From Several IP Addresses")
    if victim_signed_in_from_two_countries_within_an_hour(facts, events):
        titles.add("Okta Sign-Ins Of One User From Several Countries")
    return titles


def test_guide_trips_the_expected_rules_in_every_stage(guide: Hunt) -> None:
    findings, facts, _, parsed = guide
    assert {f.title for f in findings} == expected_titles(facts, parsed)
    assert {f.stage for f in findings} == set(STAGES)


def test_guide_findings_hold_only_the_attackers_events(guide: Hunt) -> None:
    findings, facts, events, _ = guide
    assert events and set(events) == {u for f in findings for u in f.event_uuids}
    for finding in findings:
        ips = {events[u]["client"]["ipAddress"] for u in finding.event_uuids}
        actors = {events[u]["actor"]["alternateId"] for u in finding.event_uuids}
        assert ips & set(facts.attacker_ips), finding.title
        if finding.group.get("actor.alternateId"):
            # per-user correlations: the victim's own traffic in the window is evidence too
            assert actors == {facts.compromised_login}, finding.title
        else:
            assert ips <= set(facts.attacker_ips), finding.title


def test_guide_correlations_point_at_the_attacker(guide: Hunt) -> None:
    findings, facts, _, _ = guide
    by_title = _by_title(findings)
    groups = {t: [f.group for f in fs] for t, fs in by_title.items() if fs[0].kind == "correlation"}
    spray = {"client.ipAddress": facts.spray_ip.lower()}
    victim = {"actor.alternateId": facts.compromised_login.lower()}
    assert groups["Okta Username Enumeration From One IP"] == [spray]
    assert groups["Okta Password Spraying From One IP"] == [spray]
    assert groups["Okta Excessive Account Lockouts From One IP"] == [spray]
    assert groups["Okta Successful Sign-In After A Failure Burst From The Same IP"] == [spray]
    assert groups["Okta MFA Push Fatigue"] == [victim]
    assert groups["Okta MFA Pushes Denied Repeatedly"] == [victim]
    session = {"authenticationContext.externalSessionId": facts.attacker_session_id.lower()}
    assert groups["Okta Session Signs Into Many Applications"] == [session]
    assert groups["Okta Session Used From Several IP Addresses"] == [session]


def test_guide_escalation_is_the_compromised_users_doing(guide: Hunt) -> None:
    findings, facts, events, _ = guide
    for finding in findings:
        if finding.stage in ("foothold_escalation", "mission"):
            actors = {events[u]["actor"]["alternateId"] for u in finding.event_uuids}
            assert actors == {facts.compromised_login}, finding.title


def test_background_traffic_raises_nothing() -> None:
    findings, _, _, _ = _hunt("background")
    assert [(f.title, f.group, f.count) for f in findings] == []
