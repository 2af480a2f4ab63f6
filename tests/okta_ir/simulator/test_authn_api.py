"""Sign-in attempts: outcomes and System Log events; containment (suspend, blocklist) takes effect."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from okta_ir.simulator import RunningSimulator, ScenarioFacts, Simulator, SimulatorConfig
from okta_ir.simulator.state import LOCKOUT_THRESHOLD

SSWS = {"Authorization": "SSWS admin-token"}
Org = tuple[RunningSimulator, ScenarioFacts, httpx.Client]


@pytest.fixture()
def org() -> Iterator[Org]:
    sim = Simulator(SimulatorConfig(scenario="guide", seed=13, events=400, users=40))
    with sim.serve() as running, httpx.Client(base_url=running.base_url, timeout=10) as client:
        yield running, sim.scenario_facts(), client


def sign_in(c: httpx.Client, login: str, password: str, ip: str) -> httpx.Response:
    return c.post(
        "/api/v1/authn",
        json={"username": login, "password": password},
        headers={"X-Forwarded-For": ip, "User-Agent": "python-requests/2.31.0"},
    )


def test_attacker_signs_in_until_suspended(org: Org) -> None:
    running, facts, c = org
    ok = sign_in(c, facts.compromised_login, facts.compromised_password, facts.spray_ip)
    assert ok.status_code == 200
    body = ok.json()
    assert body["status"] == "SUCCESS"
    assert body["_embedded"]["user"]["id"] == facts.compromised_user_id
    event = list(running.ground_truth())[-1]
    assert (event["eventType"], event["outcome"]) == ("user.session.start", {"result": "SUCCESS"})
    assert event["client"]["ipAddress"] == facts.spray_ip
    assert event["client"]["geographicalContext"]["country"] == facts.attacker_country
    assert event["securityContext"]["isProxy"] is True
    assert event["authenticationContext"]["externalSessionId"] in running.state.user_sessions(
        facts.compromised_user_id
    )
    assert (
        c.post(f"/api/v1/users/{facts.compromised_user_id}/lifecycle/suspend", headers=SSWS).status_code
        == 200
    )
    denied = sign_in(c, facts.compromised_login, facts.compromised_password, facts.spray_ip)
    assert denied.status_code == 401
    assert denied.json()["errorCode"] == "E0000004"
    assert denied.json()["errorSummary"] == "Authentication failed"
    last = list(running.ground_truth())[-1]
    assert last["outcome"] == {"result": "FAILURE", "reason": "User suspended"}


def test_blocklisted_ip_is_denied_before_credentials_are_checked(org: Org) -> None:
    running, facts, c = org
    zone = running.state.zone(facts.blocklist_zone_id)
    zone["gateways"].append({"type": "CIDR", "value": f"{facts.roaming_ip}/32"})
    put = c.put(
        f"/api/v1/zones/{facts.blocklist_zone_id}",
        headers=SSWS,
        json={k: zone[k] for k in ("type", "name", "usage", "gateways", "proxies")},
    )
    assert put.status_code == 200
    resp = sign_in(c, facts.compromised_login, facts.compromised_password, facts.roaming_ip)
    assert resp.status_code == 403
    assert resp.json()["errorCode"] == "E0000006"
    event = list(running.ground_truth())[-1]
    assert event["eventType"] == "security.request.blocked"
    assert event["outcome"]["result"] == "DENY"
    assert event["client"]["ipAddress"] == facts.roaming_ip
    assert sign_in(c, facts.compromised_login, facts.compromised_password, facts.spray_ip).status_code == 200


def test_unknown_user_and_wrong_password_failures(org: Org) -> None:
    running, facts, c = org
    assert sign_in(c, "ghost@example.com", "x", "198.51.100.20").status_code == 401
    assert sign_in(c, facts.protected_admin_login, "wrong", "198.51.100.20").status_code == 401
    e1, e2 = list(running.ground_truth())[-2:]
    assert e1["outcome"] == {"result": "FAILURE", "reason": "UNKNOWN_USER"}
    assert e1["actor"]["alternateId"] == "ghost@example.com"
    assert e2["outcome"] == {"result": "FAILURE", "reason": "INVALID_CREDENTIALS"}
    assert e2["actor"]["alternateId"] == facts.protected_admin_login
    good = sign_in(
        c,
        facts.protected_admin_login,
        running.state.password_for(facts.protected_admin_login),
        "198.51.100.20",
    )
    assert good.json()["status"] == "SUCCESS"


def test_lockout_after_repeated_failures(org: Org) -> None:
    running, facts, c = org
    login = facts.sprayed_logins[1]
    for _ in range(LOCKOUT_THRESHOLD):
        assert sign_in(c, login, "Spring2026!", facts.spray_ip).status_code == 401
    assert running.state.user_status(login) == "LOCKED_OUT"
    last_two = [e["eventType"] for e in list(running.ground_truth())[-2:]]
    assert last_two == ["user.session.start", "user.account.lock"]
    locked = sign_in(c, login, running.state.password_for(login), "198.51.100.20")
    assert (locked.status_code, locked.json()["status"]) == (200, "LOCKED_OUT")
    assert list(running.ground_truth())[-1]["outcome"] == {"result": "FAILURE", "reason": "LOCKED_OUT"}


def test_malformed_authn_body_is_400(org: Org) -> None:
    _, _, c = org
    resp = c.post("/api/v1/authn", content=b"{not json", headers={"Content-Type": "application/json"})
    assert resp.status_code == 400
    assert resp.json()["errorCode"] == "E0000001"
