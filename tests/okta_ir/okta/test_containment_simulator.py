"""Containment end to end against the simulated org over real HTTP, in process.

Every request the actions send is recorded at the transport and validated against the Okta spec
(../shared/okta-reference/spec/okta-subset.yaml); faults (429, 5xx) on the action paths are retried
by the one client; after the playbook the attacker can no longer sign in.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any, Optional

import httpx
import pytest
from okta_ir.okta.auth import ApiTokenAuth
from okta_ir.okta.client import ClientSettings, OktaClient
from okta_ir.okta.containment import ContainmentPolicy, contain_compromise, run_action
from okta_ir.simulator import FaultConfig, Simulator, SimulatorConfig
from okta_ir.splunk.alert_action import execute

from tests.okta_ir.okta.test_containment import SpecCheck

TOKEN = "00SimulatorContainmentToken"


class Recording(httpx.HTTPTransport):
    """A real HTTP transport that keeps every request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.sent.append(request)
        return super().handle_request(request)


@pytest.fixture(scope="module")
def spec() -> SpecCheck:
    return SpecCheck()


def serve(faults: Optional[FaultConfig] = None) -> Any:
    config = SimulatorConfig(scenario="guide", seed=7, events=2000, users=40, faults=faults or FaultConfig())
    simulator = Simulator(config)
    return simulator, simulator.serve()


@pytest.fixture()
def org() -> Iterator[tuple[Any, Any, OktaClient, Recording]]:
    simulator, serving = serve()
    with serving as running:
        transport = Recording()
        with OktaClient(
            running.base_url,
            ApiTokenAuth(TOKEN),
            transport=transport,
            settings=ClientSettings(read_timeout=10),
            sleep=lambda s: None,
        ) as client:
            yield running, simulator.scenario_facts(), client, transport


def sign_in(running: Any, login: str, ip: str) -> int:
    password = running.state.password_for(login)
    answer = httpx.post(
        running.base_url + "/api/v1/authn",
        json={"username": login, "password": password},
        headers={"X-Forwarded-For": ip},
        timeout=10,
    )
    return answer.status_code


def test_every_action_on_the_simulator_sends_spec_valid_requests(org: Any, spec: SpecCheck) -> None:
    running, facts, client, transport = org
    user = facts.compromised_login
    enrolled = next(u.login for u in running.state.users.values() if u.factors and u.login != user)
    policy = ContainmentPolicy(quarantine_group_id=facts.quarantine_group_id, allow_deactivate=True)
    plan = [
        ("suspend", user),
        ("unsuspend", user),
        ("clear_sessions", user),
        ("quarantine", user),
        ("release", user),
        ("reset_factors", enrolled),
        ("expire_password", user),
        ("block_ip", facts.attacker_ips[0]),
        ("unblock_ip", facts.attacker_ips[0]),
        ("block_ip", "2001:db8:77::1"),
        ("deactivate", facts.sprayed_logins[0]),
    ]
    outcomes = [(action, run_action(client, action, [target], policy)[0].outcome) for action, target in plan]
    assert outcomes == [(action, "success") for action, _ in plan]
    assert running.state.user_status(facts.sprayed_logins[0]) == "DEPROVISIONED"
    assert running.state.user_status(user) == "PASSWORD_EXPIRED"
    assert running.state.find_user(enrolled).factors == []
    methods = {(r.method, r.url.path.split("/")[3]) for r in transport.sent}
    assert {
        ("POST", "users"),
        ("DELETE", "users"),
        ("PUT", "groups"),
        ("DELETE", "groups"),
        ("PUT", "zones"),
    } <= methods
    for request in transport.sent:
        spec.validate_request(request)


def test_playbook_stops_the_attacker(org: Any) -> None:
    running, facts, client, _ = org
    attacker_ip = facts.attacker_ips[0]
    assert sign_in(running, facts.compromised_login, attacker_ip) == 200
    results = contain_compromise(
        client,
        facts.compromised_login,
        attacker_ip,
        ContainmentPolicy(quarantine_group_id=facts.quarantine_group_id),
    )
    assert [(r.action, r.outcome) for r in results] == [
        ("suspend", "success"),
        ("clear_sessions", "success"),
        ("quarantine", "success"),
        ("block_ip", "success"),
    ]
    assert sign_in(running, facts.compromised_login, attacker_ip) == 403  # the blocklist answers first
    assert sign_in(running, facts.compromised_login, "198.51.100.200") == 401  # suspended
    assert running.state.user_sessions(facts.compromised_user_id) == []
    again = contain_compromise(
        client,
        facts.compromised_login,
        attacker_ip,
        ContainmentPolicy(quarantine_group_id=facts.quarantine_group_id),
    )
    assert [r.outcome for r in again] == ["no_change", "success", "no_change", "no_change"]


def test_faults_during_an_alert_action_are_retried(tmp_path: Any) -> None:
    probe = Simulator(SimulatorConfig(scenario="guide", seed=7, events=2000, users=40))
    facts = probe.scenario_facts()
    zone_path = f"/api/v1/zones/{facts.blocklist_zone_id}"
    suspend_path = f"/api/v1/users/{facts.compromised_user_id}/lifecycle/suspend"
    faults = FaultConfig(rates={"429": 0.4, "5xx": 0.3}, paths=(zone_path, suspend_path))
    _, serving = serve(faults)
    with serving as running:

        def factory(payload: Any, account: str) -> tuple[OktaClient, str]:
            assert account == "corp"
            return OktaClient(running.base_url, ApiTokenAuth(TOKEN), sleep=lambda s: None), running.base_url

        audit = tmp_path / "okta_ir_actions.log"
        err = io.StringIO()
        payload = {
            "configuration": {"account": "corp", "ip_field": "ip"},
            "result": {"ip": facts.attacker_ips[0]},
        }
        status = execute(
            "okta_ir_block_ip",
            json.dumps(payload),
            stderr=err,
            audit_path=str(audit),
            client_factory=factory,
            org_settings=lambda payload: {},
        )
        assert status == 0, err.getvalue()
        status = execute(
            "okta_ir_suspend_user",
            json.dumps({"configuration": {"account": "corp"}, "result": {"user": facts.compromised_login}}),
            stderr=err,
            audit_path=str(audit),
            client_factory=factory,
            org_settings=lambda payload: {},
        )
        assert status == 0, err.getvalue()
        statuses = [(m, p, s) for m, p, _, s in running.requests_log if p in (zone_path, suspend_path)]
        assert {s for _, _, s in statuses} >= {429, 200}
        assert any(s >= 500 for _, _, s in statuses)
        assert statuses[-1][2] == 200
        assert running.state.user_status(facts.compromised_login) == "SUSPENDED"
        assert {"type": "CIDR", "value": f"{facts.attacker_ips[0]}/32"} in running.state.zone(
            facts.blocklist_zone_id
        )["gateways"]
        assert audit.read_text(encoding="utf-8").count('"outcome": "success"') == 2
