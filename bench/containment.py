"""Containment figures: target validation rate, per-action latency on the simulator, blocklist zone growth,
and the wall time of one alert action run as splunkd runs it (subprocess). Bounded; never asserted."""

from __future__ import annotations

import contextlib
import csv
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "00BenchContainmentToken"


def _validation_rate() -> float:
    from okta_ir.containment.targets import parse_user_ref
    from okta_ir.errors import ContainmentRefused

    values = [f"user{i}@example.com" for i in range(5000)] + ["../../x", "a\r\nb", "x" * 2000, "me"] * 1250
    started = time.perf_counter()
    for value in values:
        with contextlib.suppress(ContainmentRefused):
            parse_user_ref(value)
    return len(values) / (time.perf_counter() - started)


def _timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _on_simulator(figures: dict[str, Any]) -> None:
    from okta_ir.okta.auth import ApiTokenAuth
    from okta_ir.okta.client import OktaClient
    from okta_ir.okta.containment import ContainmentPolicy, run_action
    from okta_ir.simulator import Simulator, SimulatorConfig

    simulator = Simulator(SimulatorConfig(scenario="guide", seed=7, events=2000, users=60))
    facts = simulator.scenario_facts()
    with simulator.serve() as running, OktaClient(running.base_url, ApiTokenAuth(TOKEN)) as client:
        logins = [u.login for u in running.state.users.values() if u.status == "ACTIVE"][:20]
        suspend = [_timed(lambda lg=lg: run_action(client, "suspend", [lg])) for lg in logins]
        again = [_timed(lambda lg=lg: run_action(client, "suspend", [lg])) for lg in logins]
        figures["suspend_ms_median"] = round(statistics.median(suspend), 1)
        figures["suspend_no_change_ms_median"] = round(statistics.median(again), 1)
        policy = ContainmentPolicy(blocklist_zone_id=facts.blocklist_zone_id)
        gateways = [{"type": "CIDR", "value": f"198.18.{i // 250}.{i % 250}/32"} for i in range(900)]
        with running.state.lock:
            running.state.zones[facts.blocklist_zone_id]["gateways"].extend(gateways)
        block = [
            _timed(lambda i=i: run_action(client, "block_ip", [f"203.0.113.{i}"], policy))
            for i in range(1, 21)
        ]
        figures["block_ip_ms_median_900_gateways"] = round(statistics.median(block), 1)
        figures["zone_gateways_after"] = len(running.state.zone(facts.blocklist_zone_id)["gateways"])
        figures["alert_action_subprocess_ms"] = _alert_subprocess(running, facts.compromised_login)


def _alert_subprocess(running: Any, login: str) -> float:
    sys.path.insert(0, str(ROOT))
    from tests.support.splunkd import SplunkdStandIn

    with tempfile.TemporaryDirectory() as tmp, SplunkdStandIn() as splunkd:
        splunkd.store_account("corp", org_url=running.base_url, api_token=TOKEN)
        results = os.path.join(tmp, "results.csv.gz")
        with gzip.open(results, "wt", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["user"])
            writer.writeheader()
            writer.writerow({"user": login})
        payload = json.dumps(
            {
                "configuration": {"account": "corp", "dry_run": "1"},
                "results_file": results,
                "sid": "bench",
                "server_uri": splunkd.server_uri,
                "session_key": splunkd.session_key,
                "search_name": "bench",
            }
        )
        env = dict(os.environ, SPLUNK_HOME=tmp)
        script = ROOT / "addon" / "package" / "bin" / "okta_ir_suspend_user.py"
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, str(script), "--execute"],
                input=payload,
                text=True,
                capture_output=True,
                env=env,
                timeout=60,
                check=True,
            )
            runs.append((time.perf_counter() - started) * 1000)
        return round(statistics.median(runs), 1)


def run() -> dict[str, Any]:
    """Validations/s; median ms per suspend, no-change, block on a 900-entry zone; alert run wall ms."""
    figures: dict[str, Any] = {"user_ref_validations_per_s": round(_validation_rate())}
    _on_simulator(figures)
    return figures


if __name__ == "__main__":
    print(json.dumps(run(), sort_keys=True))
