"""The okta_ir_* custom alert actions, driven as splunkd drives them, against the simulated org.

Each run: ``bin/okta_ir_<action>.py --execute`` as a subprocess, the JSON payload on stdin, a gzipped CSV
results_file with several rows, the splunkd stand-in serving the account from storage/passwords,
SPLUNK_HOME in a temp dir for the audit log. Then the simulator's state and request log are checked.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from okta_ir.simulator import Simulator, SimulatorConfig

from tests.okta_ir.okta.test_containment import SpecCheck
from tests.support.splunkd import SplunkdStandIn

ROOT = Path(__file__).resolve().parents[3]
BIN = ROOT / "addon" / "package" / "bin"
TOKEN = "00SimulatedAlertActionToken"
CONTAINMENT_PATHS = ("/api/v1/users", "/api/v1/groups", "/api/v1/zones", "/api/v1/sessions")


@pytest.fixture(scope="module")
def splunkd() -> Iterator[SplunkdStandIn]:
    with SplunkdStandIn() as standin:
        yield standin


@pytest.fixture()
def sim(splunkd: SplunkdStandIn) -> Iterator[Any]:
    simulator = Simulator(SimulatorConfig(scenario="guide", seed=7, events=2000, users=40))
    with simulator.serve() as running:
        running.facts = simulator.scenario_facts()
        splunkd.store_account("corp", org_url=running.base_url, api_token=TOKEN)
        yield running


class Alert:
    """Runs one alert action script as splunkd does and reads back the audit trail."""

    def __init__(self, tmp: Path, splunkd: SplunkdStandIn) -> None:
        self.tmp = tmp
        self.splunkd = splunkd
        self.home = tmp / "splunk"
        self.runs = 0

    @property
    def audit_path(self) -> Path:
        return self.home / "var" / "log" / "splunk" / "okta_ir_actions.log"

    def audit(self) -> list[dict[str, Any]]:
        if not self.audit_path.exists():
            return []
        return [json.loads(line) for line in self.audit_path.read_text(encoding="utf-8").splitlines()]

    def run(self, name: str, rows: list[dict[str, str]], **config: str) -> tuple[int, str]:
        self.runs += 1
        results = self.tmp / f"results{self.runs}.csv.gz"
        fields = sorted({k for row in rows for k in row})
        with gzip.open(results, "wt", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
        payload = {
            "app": "TA-okta-ir",
            "owner": "soc_lead",
            "search_name": "Okta - Account takeover",
            "sid": f"scheduler__soc_lead__search__RMD5_{self.runs}",
            "server_host": "sh1",
            "server_uri": self.splunkd.server_uri,
            "session_key": self.splunkd.session_key,
            "results_file": str(results),
            "results_link": "http://sh1:8000/app/search/@go?sid=x",
            "configuration": {"account": "corp", **config},
            "result": rows[0] if rows else {},
        }
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["SPLUNK_HOME"] = str(self.home)
        proc = subprocess.run(
            [sys.executable, str(BIN / f"{name}.py"), "--execute"],
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            env=env,
            cwd=str(self.tmp),
            timeout=60,
        )
        assert TOKEN not in proc.stderr and self.splunkd.session_key not in proc.stderr
        return proc.returncode, proc.stderr


@pytest.fixture()
def alert(tmp_path: Path, splunkd: SplunkdStandIn) -> Alert:
    return Alert(tmp_path, splunkd)


def containment_requests(running: Any) -> list[tuple[str, str, str, int]]:
    return [r for r in running.requests_log if r[1].startswith(CONTAINMENT_PATHS)]


@pytest.fixture(scope="module")
def spec() -> SpecCheck:
    return SpecCheck()


def assert_served_requests_match_the_spec(running: Any, spec: SpecCheck) -> None:
    """Method, path and query of every bodiless containment request the simulator served match the spec
    (zone PUT bodies are validated in test_containment_simulator, which records them in process)."""
    served = [r for r in containment_requests(running) if r[0] != "PUT"]
    assert served
    for method, path, query, _ in served:
        url = running.base_url + path + ("?" + query if query else "")
        spec.validate_request(httpx.Request(method, url, headers={"Authorization": "SSWS x"}))


def writes(running: Any) -> list[tuple[str, str, str, int]]:
    return [r for r in containment_requests(running) if r[0] != "GET"]


def test_suspend_every_row_then_idempotent(sim: Any, alert: Alert, spec: SpecCheck) -> None:
    victim = sim.facts.compromised_login
    other = next(
        u
        for u in sim.state.users.values()
        if u.status == "ACTIVE"
        and u.login not in (victim, sim.facts.protected_admin_login)
        and u.login != sim.facts.automation_login
    )
    rows = [{"user": victim, "src_ip": "203.0.113.9"}, {"user": other.login}, {"user": victim.upper()}]
    status, stderr = alert.run("okta_ir_suspend_user", rows)
    assert status == 0, stderr
    assert sim.state.user_status(victim) == "SUSPENDED"
    assert sim.state.user_status(other.login) == "SUSPENDED"
    events = alert.audit()
    assert [(e["target"], e["outcome"]) for e in events] == [(victim, "success"), (other.login, "success")]
    first = events[0]
    assert {
        k: first[k]
        for k in (
            "search_name",
            "owner",
            "app",
            "org",
            "action",
            "action_name",
            "dry_run",
            "action_status",
            "user_id",
            "error_code",
        )
    } == {
        "search_name": "Okta - Account takeover",
        "owner": "soc_lead",
        "app": "TA-okta-ir",
        "org": sim.base_url,
        "action": "suspend",
        "action_name": "okta_ir_suspend_user",
        "dry_run": False,
        "action_status": "success",
        "user_id": sim.facts.compromised_user_id,
        "error_code": None,
    }
    assert first["sid"] == "scheduler__soc_lead__search__RMD5_1"
    assert first["time"].endswith("Z")
    assert [w[:2] for w in writes(sim)] == [
        ("POST", f"/api/v1/users/{sim.facts.compromised_user_id}/lifecycle/suspend"),
        ("POST", f"/api/v1/users/{other.id}/lifecycle/suspend"),
    ]
    status, stderr = alert.run("okta_ir_suspend_user", rows)
    assert status == 0, stderr
    assert [(e["target"], e["outcome"]) for e in alert.audit()[2:]] == [
        (victim, "no_change"),
        (other.login, "no_change"),
    ]
    assert len(writes(sim)) == 2
    assert TOKEN not in alert.audit_path.read_text(encoding="utf-8")
    assert_served_requests_match_the_spec(sim, spec)


def test_clear_sessions_and_quarantine(sim: Any, alert: Alert) -> None:
    victim_id = sim.facts.compromised_user_id
    assert sim.state.user_sessions(victim_id)
    status, stderr = alert.run(
        "okta_ir_clear_sessions", [{"actor": sim.facts.compromised_login}], user_field="actor"
    )
    assert status == 0, stderr
    assert sim.state.user_sessions(victim_id) == []
    assert writes(sim)[-1][:3] == ("DELETE", f"/api/v1/users/{victim_id}/sessions", "oauthTokens=true")
    group = sim.facts.quarantine_group_id
    status, stderr = alert.run("okta_ir_quarantine_user", [{"user": victim_id}], quarantine_group=group)
    assert status == 0, stderr
    assert victim_id in sim.state.group_members(group)
    status, _ = alert.run("okta_ir_quarantine_user", [{"user": victim_id}], quarantine_group=group)
    assert alert.audit()[-1]["outcome"] == "no_change"
    status, _ = alert.run("okta_ir_release_user", [{"user": victim_id}], quarantine_group=group)
    assert (status, alert.audit()[-1]["outcome"]) == (0, "success")
    assert victim_id not in sim.state.group_members(group)


def test_block_ip_keeps_other_gateways_and_is_idempotent(sim: Any, alert: Alert, spec: SpecCheck) -> None:
    zone_id = sim.facts.blocklist_zone_id
    before = sim.state.zone(zone_id)["gateways"]
    attacker = sim.facts.attacker_ips[0]
    rows = [{"src_ip": attacker}, {"src_ip": attacker}, {"src_ip": "10.1.2.3"}, {"src_ip": ""}]
    status, stderr = alert.run("okta_ir_block_ip", rows)
    assert status == 2, stderr  # the private address was refused
    after = sim.state.zone(zone_id)["gateways"]
    assert after == [*before, {"type": "CIDR", "value": f"{attacker}/32"}]
    assert [(e["target"], e["outcome"]) for e in alert.audit()] == [
        (f"{attacker}/32", "success"),
        ("10.1.2.3/32", "refused"),
    ]
    status, _ = alert.run("okta_ir_block_ip", [{"src_ip": attacker}], blocklist_zone=zone_id)
    assert (status, alert.audit()[-1]["outcome"]) == (0, "no_change")
    assert sum(1 for w in writes(sim) if w[0] == "PUT") == 1
    status, _ = alert.run("okta_ir_unblock_ip", [{"src_ip": attacker}])
    assert status == 0
    assert sim.state.zone(zone_id)["gateways"] == before
    assert_served_requests_match_the_spec(sim, spec)


def test_protected_users_and_groups_are_refused(sim: Any, alert: Alert) -> None:
    admin = sim.facts.protected_admin_login
    rows = [{"user": admin}, {"user": sim.facts.compromised_login}]
    status, stderr = alert.run(
        "okta_ir_suspend_user",
        rows,
        protected_groups=sim.facts.admin_group_id,
        protected_users=sim.facts.compromised_login.upper(),
    )
    assert status == 2
    assert [(e["target"], e["outcome"]) for e in alert.audit()] == [
        (admin, "refused"),
        (sim.facts.compromised_login, "refused"),
    ]
    assert alert.audit()[0]["detail"] == f"user is a member of the protected group {sim.facts.admin_group_id}"
    assert "refused" in stderr
    assert writes(sim) == []
    assert sim.state.user_status(admin) == "ACTIVE"


def test_blast_radius_six_rows_nothing_done(sim: Any, alert: Alert) -> None:
    logins = [u.login for u in list(sim.state.users.values())[:6]]
    status, stderr = alert.run("okta_ir_suspend_user", [{"user": login} for login in logins])
    assert status == 2
    assert "ERROR okta_ir_suspend_user: suspend" in stderr
    assert containment_requests(sim) == []
    events = alert.audit()
    assert [e["outcome"] for e in events] == ["refused"] * 6
    assert events[0]["detail"].startswith(
        "6 distinct targets exceed the limit of 5 per run; nothing was done"
    )
    assert all(sim.state.user_status(login) == "ACTIVE" for login in logins)


def test_hostile_values_send_nothing(sim: Any, alert: Alert) -> None:
    hostile = [
        "../../api/v1/users/admin/lifecycle/deactivate",
        "a@b.co\r\nX: y",
        "x" * 2000,
        "me",
        sim.facts.compromised_login + "/../" + sim.facts.protected_admin_login,
    ]
    status, _ = alert.run("okta_ir_deactivate_user", [{"user": h} for h in hostile], allow_deactivate="1")
    assert status == 2
    status, _ = alert.run(
        "okta_ir_block_ip", [{"src_ip": v} for v in ("1.2.3.4:80", "127.0.0.1", "::1", "junk")]
    )
    assert status == 2
    assert containment_requests(sim) == []
    assert {e["outcome"] for e in alert.audit()} == {"refused"}
    assert len(alert.audit()) == 9
    assert all("\n" not in e["target"] and len(e["target"]) < 150 for e in alert.audit())


def test_dry_run_changes_nothing_and_audits_the_plan(sim: Any, alert: Alert) -> None:
    status, _ = alert.run("okta_ir_suspend_user", [{"user": sim.facts.compromised_login}], dry_run="1")
    assert status == 0
    assert writes(sim) == []
    assert sim.state.user_status(sim.facts.compromised_login) == "ACTIVE"
    [event] = alert.audit()
    assert (event["outcome"], event["dry_run"]) == ("dry_run", True)
    assert event["requests"][-1] == {
        "method": "POST",
        "sent": False,
        "url": f"{sim.base_url}/api/v1/users/{sim.facts.compromised_user_id}/lifecycle/suspend",
    }


def test_bad_configuration_and_protocol(sim: Any, alert: Alert) -> None:
    status, stderr = alert.run("okta_ir_suspend_user", [{"user": "a@b.co"}], max_targets="lots")
    assert (status, stderr.strip().splitlines()[-1]) == (
        3,
        "ERROR okta_ir_suspend_user: max_targets lots is not a whole number",
    )
    status, stderr = alert.run("okta_ir_suspend_user", [{"src_ip": "203.0.113.5"}])
    assert status == 3 and "none of the 1 result rows has a value in 'user'" in stderr
    status, stderr = alert.run("okta_ir_suspend_user", [{"user": "a@b.co"}], account="nope")
    assert status == 3 and "cannot use Okta account 'nope'" in stderr and "does not exist" in stderr
    status, stderr = alert.run("okta_ir_suspend_user", [{"user": "a@b.co"}], account="")
    assert (status, stderr.strip().splitlines()[-1]) == (
        3,
        "ERROR okta_ir_suspend_user: no Okta account is selected: set the action's 'Okta account' parameter",
    )
    assert [e["outcome"] for e in alert.audit()] == ["refused", "refused", "failed", "refused"]
    blocked = alert.tmp / "not-a-dir"
    blocked.write_text("x")
    alert.home = blocked
    status, stderr = alert.run("okta_ir_suspend_user", [{"user": "a@b.co"}])
    assert status == 3 and "cannot write the audit log" in stderr and "Not a directory" in stderr
    proc = subprocess.run(
        [sys.executable, str(BIN / "okta_ir_block_ip.py")],
        input="",
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (proc.returncode, proc.stderr) == (
        1,
        "FATAL Unsupported execution mode (expected --execute flag)\n",
    )
    assert containment_requests(sim) == []


def test_multivalue_fields_are_split(sim: Any, alert: Alert, tmp_path: Path) -> None:
    victim = sim.facts.compromised_login
    other = sim.facts.sprayed_logins[0]
    row = {"user": f"{victim}\n{other}", "__mv_user": f"${victim}$;${other}$"}
    status, stderr = alert.run("okta_ir_expire_password", [row])
    assert status == 0, stderr
    assert [e["target"] for e in alert.audit()] == [victim, other]
    assert sim.state.user_status(victim) == "PASSWORD_EXPIRED"


def test_entry_scripts_match_the_alert_definitions() -> None:
    from okta_ir.splunk.alert_action import ALERT_ACTIONS

    config = json.loads((ROOT / "addon" / "globalConfig.json").read_text(encoding="utf-8"))
    names = [a["name"] for a in config["alerts"]]
    assert names == list(ALERT_ACTIONS)
    for name in names:
        script = (BIN / f"{name}.py").read_text(encoding="utf-8")
        assert f'run_entry("{name}", __file__)' in script
    fields = {a["name"]: [e["field"] for e in a["entity"]] for a in config["alerts"]}
    assert fields["okta_ir_block_ip"] == [
        "account",
        "ip_field",
        "blocklist_zone",
        "corporate_ranges",
        "protected_users",
        "protected_groups",
        "max_targets",
        "dry_run",
    ]
    assert fields["okta_ir_deactivate_user"] == [
        "account",
        "user_field",
        "allow_deactivate",
        "protected_users",
        "protected_groups",
        "max_targets",
        "dry_run",
    ]


def test_unsuspend_reset_factors_and_deactivate_scripts(sim: Any, alert: Alert) -> None:
    victim, victim_id = sim.facts.compromised_login, sim.facts.compromised_user_id
    enrolled = next(
        u for u in sim.state.users.values() if u.factors and u.id != victim_id and u.status == "ACTIVE"
    )
    with sim.state.lock:
        sim.state.users[victim_id].status = "SUSPENDED"
    assert alert.run("okta_ir_unsuspend_user", [{"user": victim}])[0] == 0
    assert sim.state.user_status(victim) == "ACTIVE"
    assert alert.run("okta_ir_reset_factors", [{"user": enrolled.login}])[0] == 0
    assert sim.state.find_user(enrolled.login).factors == []
    status, stderr = alert.run("okta_ir_deactivate_user", [{"user": enrolled.login}])
    assert status == 2 and "deactivation is disabled" in stderr
    assert alert.run("okta_ir_deactivate_user", [{"user": enrolled.login}], allow_deactivate="1")[0] == 0
    assert sim.state.user_status(enrolled.login) == "DEPROVISIONED"
    assert [(e["action"], e["outcome"]) for e in alert.audit()] == [
        ("unsuspend", "success"),
        ("reset_factors", "success"),
        ("deactivate", "refused"),
        ("deactivate", "success"),
    ]
    assert [w[:2] for w in writes(sim)] == [
        ("POST", f"/api/v1/users/{victim_id}/lifecycle/unsuspend"),
        ("POST", f"/api/v1/users/{enrolled.id}/lifecycle/reset_factors"),
        ("POST", f"/api/v1/users/{enrolled.id}/lifecycle/deactivate"),
    ]


def test_org_wide_floor_in_settings_cannot_be_weakened(sim: Any, tmp_path: Path) -> None:
    with SplunkdStandIn() as splunkd:
        splunkd.store_account("corp", org_url=sim.base_url, api_token=TOKEN)
        splunkd.set_conf(
            "ta_okta_ir_settings",
            "containment",
            protected_users=sim.facts.compromised_login,
            max_targets="2",
            allow_deactivate="0",
        )
        alert = Alert(tmp_path, splunkd)
        rows = [{"user": login} for login in sim.facts.sprayed_logins[:3]]
        status, _ = alert.run("okta_ir_suspend_user", rows, max_targets="10")
        assert status == 2
        assert alert.audit()[0]["detail"].startswith("3 distinct targets exceed the limit of 2 per run")
        status, _ = alert.run(
            "okta_ir_suspend_user", [{"user": sim.facts.compromised_login}], protected_users=""
        )
        assert (status, alert.audit()[-1]["detail"]) == (
            2,
            f"user {sim.facts.compromised_login} is on the protected list",
        )
        status, _ = alert.run(
            "okta_ir_deactivate_user", [{"user": sim.facts.sprayed_logins[0]}], allow_deactivate="1"
        )
        assert (status, alert.audit()[-1]["detail"]) == (
            2,
            "deactivation is disabled; enable it explicitly in the configuration",
        )
        splunkd.set_conf("ta_okta_ir_settings", "containment", corporate_ranges="not-a-cidr")
        status, stderr = alert.run("okta_ir_block_ip", [{"src_ip": "203.0.113.5"}])
        assert (
            status == 3
            and "org-wide containment settings ([containment]): corporate range not-a-cidr" in stderr
        )
    assert writes(sim) == []
