"""The guide intrusion and the background traffic: determinism, the attack chain, no attack in background."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from typing import Any

import pytest
from okta_ir.simulator import Simulator, SimulatorConfig

EVENTS = 10_000


def events_of(sim: Simulator) -> list[dict[str, Any]]:
    return [json.loads(t) for t in sim.org.store.iter_raw()]


@pytest.fixture(scope="module")
def guide() -> Simulator:
    return Simulator(SimulatorConfig(scenario="guide", seed=7, events=EVENTS))


@pytest.fixture(scope="module")
def guide_events(guide: Simulator) -> list[dict[str, Any]]:
    return events_of(guide)


@pytest.fixture(scope="module")
def background_events() -> list[dict[str, Any]]:
    return events_of(Simulator(SimulatorConfig(scenario="background", seed=7, events=EVENTS)))


def test_same_seed_same_org_other_seed_other_org(guide: Simulator) -> None:
    again = Simulator(SimulatorConfig(scenario="guide", seed=7, events=EVENTS, start=None))
    first = list(itertools.islice(guide.org.store.iter_raw(), 3000))
    second = list(itertools.islice(again.org.store.iter_raw(), 3000))
    assert [json.loads(a)["uuid"] for a in first] == [json.loads(b)["uuid"] for b in second]
    strip = [{k: v for k, v in json.loads(a).items() if k != "published"} for a in first]
    assert strip == [{k: v for k, v in json.loads(b).items() if k != "published"} for b in second]
    assert again.scenario_facts().compromised_login == guide.scenario_facts().compromised_login
    other = Simulator(SimulatorConfig(scenario="guide", seed=8, events=EVENTS))
    assert list(itertools.islice(other.org.store.iter_raw(), 10)) != first[:10]
    pinned = dict(
        scenario="guide", seed=7, events=2000, start="2026-11-24T00:00:00Z", end="2026-11-24T06:00:00Z"
    )
    a = Simulator(SimulatorConfig(**pinned))  # type: ignore[arg-type]
    b = Simulator(SimulatorConfig(**pinned))  # type: ignore[arg-type]
    assert list(itertools.islice(a.org.store.iter_raw(), 500)) == list(
        itertools.islice(b.org.store.iter_raw(), 500)
    )


def test_attack_chain_in_order_inside_background(
    guide: Simulator, guide_events: list[dict[str, Any]]
) -> None:
    f = guide.scenario_facts()
    attack = [e for e in guide_events if e["client"].get("ipAddress") in f.attacker_ips]
    assert len(attack) == f.attack_event_count
    assert f.attack_event_count / EVENTS < 0.01
    enum = [e for e in attack if e["outcome"].get("reason") == "UNKNOWN_USER"]
    assert {e["actor"]["alternateId"] for e in enum} == set(f.enumerated_logins)
    spray = [
        e
        for e in attack
        if e["outcome"].get("reason") == "INVALID_CREDENTIALS" and e["eventType"] == "user.session.start"
    ]
    assert len({e["actor"]["alternateId"] for e in spray}) >= 30
    assert {e["client"]["ipAddress"] for e in enum + spray} == {f.spray_ip}
    locks = [e for e in attack if e["eventType"] == "user.account.lock"]
    assert [e["target"][0]["alternateId"] for e in locks] == list(f.locked_logins)
    assert all(e["outcome"] == {"result": "FAILURE", "reason": "LOCKED_OUT"} for e in locks)
    (login,) = [
        e for e in attack if e["eventType"] == "user.session.start" and e["outcome"]["result"] == "SUCCESS"
    ]
    assert login["actor"]["alternateId"] == f.compromised_login
    assert login["client"]["userAgent"]["rawUserAgent"] == f.attacker_user_agent == "python-requests/2.31.0"
    assert login["securityContext"]["isProxy"] is True
    assert login["client"]["geographicalContext"]["country"] == f.attacker_country != "United States"
    assert login["authenticationContext"]["externalSessionId"] == f.attacker_session_id
    order = [
        e["eventType"]
        for e in attack
        if e["authenticationContext"].get("externalSessionId") == f.attacker_session_id
    ]
    expected_tail = [
        "user.session.access_admin_app",
        "user.mfa.factor.deactivate",
        "user.account.privilege.grant",
        "group.user_membership.add",
        "zone.update",
        "system.api_token.create",
    ]
    assert [t for t in order if t in expected_tail] == expected_tail
    assert order.count("user.mfa.okta_verify.deny_push") == 4
    assert order.index("user.session.start") < order.index("user.mfa.okta_verify.deny_push")
    grant = next(e for e in attack if e["eventType"] == "user.account.privilege.grant")
    assert grant["debugContext"]["debugData"]["privilegeGranted"] == "Super administrator"
    group = next(e for e in attack if e["eventType"] == "group.user_membership.add")
    assert group["target"][1]["id"] == f.admin_group_id
    zone = next(e for e in attack if e["eventType"] == "zone.update")
    assert zone["target"][0]["id"] == f.blocklist_zone_id
    sso = [e for e in attack if e["eventType"] == "user.authentication.sso"]
    assert {e["target"][0]["displayName"] for e in sso} == set(f.targeted_apps)
    assert {e["client"]["ipAddress"] for e in sso} == {f.roaming_ip}
    assert all([t["type"] for t in e["target"]] == ["AppInstance", "AppUser"] for e in sso)
    threats = [e for e in attack if e["eventType"] == "security.threat.detected"]
    assert len(threats) == 2
    pubs = [e["published"] for e in attack]
    assert pubs == sorted(pubs)
    assert f.attack_start == pubs[0] and f.attack_end == pubs[-1]


def test_guide_state_reflects_the_intrusion(guide: Simulator) -> None:
    f = guide.scenario_facts()
    st = guide.org.state
    assert f.compromised_user_id in st.group_members(f.admin_group_id)
    assert [st.user_status(x) for x in f.locked_logins] == ["LOCKED_OUT"] * 3
    assert st.password_for(f.compromised_login) == f.compromised_password
    assert f.attacker_session_id in st.user_sessions(f.compromised_user_id)
    assert st.group_members(f.quarantine_group_id) == set()
    assert f.protected_admin_login != f.compromised_login


def test_background_has_no_attack_markers(guide: Simulator, background_events: list[dict[str, Any]]) -> None:
    f = guide.scenario_facts()
    text = "\n".join(json.dumps(e) for e in background_events)
    for marker in (
        *f.attacker_ips,
        f.attacker_user_agent,
        f.attacker_session_id,
        "python-requests",
        'isProxy": true',
        "privilege.grant",
        "api_token.create",
        "zone.update",
        "factor.deactivate",
        "threat.detected",
        "account.lock",
        "deny_push",
        "UNKNOWN_USER",
        "CHALLENGE",
        "POSITIVE",
    ):
        assert marker not in text, marker
    assert len(background_events) == EVENTS


def test_background_failures_are_sparse_per_ip_and_user(background_events: list[dict[str, Any]]) -> None:
    failures = [
        e
        for e in background_events
        if e["outcome"]["result"] != "SUCCESS" and e["eventType"] == "user.session.start"
    ]
    assert 0 < len(failures) < 0.02 * EVENTS
    users_per_ip: dict[str, set] = defaultdict(set)
    times_per_user: dict[str, list[str]] = defaultdict(list)
    for e in failures:
        users_per_ip[e["client"]["ipAddress"]].add(e["actor"]["alternateId"])
        times_per_user[e["actor"]["alternateId"]].append(e["published"])
    assert max(len(u) for u in users_per_ip.values()) <= 2
    assert max(len(t) for t in times_per_user.values()) <= 6


def test_background_has_realistic_variety(background_events: list[dict[str, Any]]) -> None:
    types = {e["eventType"] for e in background_events}
    assert {
        "user.session.start",
        "user.authentication.sso",
        "user.authentication.auth_via_mfa",
        "policy.evaluate_sign_on",
        "user.session.end",
        "group.user_membership.add",
        "user.account.update_password",
    } <= types
    assert len({e["actor"]["id"] for e in background_events}) >= 300
    apps = {
        t["displayName"]
        for e in background_events
        if e["eventType"] == "user.authentication.sso"
        for t in e["target"]
        if t["type"] == "AppInstance"
    }
    assert len(apps) >= 15
    sample = background_events[0]
    assert sample["request"]["ipChain"][0]["ip"] == sample["client"]["ipAddress"]
    assert isinstance(sample["client"]["geographicalContext"]["geolocation"]["lat"], float)
