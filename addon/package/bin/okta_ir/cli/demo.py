"""`okta-ir demo`: the whole story on one machine, against a simulated Okta org on 127.0.0.1.

1. start the simulator (guide scenario: an intrusion inside background traffic),
2. collect its System Log to JSONL with the real client and poller (checkpointed),
3. hunt it with the Sigma content pack on SQLite and write the HTML report,
4. contain the compromised account and the attacker IP,
5. show that the attacker's next sign-in fails, and collect the new events (resuming from the checkpoint).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any, TextIO

from okta_ir.checkpoint import FileCheckpointStore

DEMO_TOKEN = "demo-token-not-a-secret"
# A documentation address (RFC 5737) the attacker has not used: only the suspension can stop it.
CLEAN_IP = "198.51.100.77"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `demo` subcommand."""
    parser = subparsers.add_parser(
        "demo", help="simulate an Okta intrusion, collect it, hunt it, contain it (all local)"
    )
    parser.add_argument("--out-dir", default="demo-output", help="where the JSONL, state and report go")
    parser.add_argument("--events", type=_positive_int, default=20_000, help="size of the simulated log")
    parser.add_argument("--seed", type=int, default=7, help="scenario seed (same seed, same story)")
    parser.set_defaults(func=run_demo)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return value


def _say(out: TextIO, text: str = "") -> None:
    out.write(text + "\n")
    out.flush()


def run_demo(args: argparse.Namespace) -> int:
    """Run the five steps; returns 0 when containment was proven, 1 otherwise."""
    from detections.engine import HuntEngine
    from detections.report import write_html_report
    from detections.rules import DEFAULT_RULES_DIR, load_rules
    from okta_ir.okta.auth import ApiTokenAuth
    from okta_ir.okta.client import ClientSettings, OktaClient
    from okta_ir.okta.containment import contain_compromise
    from okta_ir.okta.system_log import SystemLogPoller
    from okta_ir.simulator import Simulator, SimulatorConfig
    from okta_ir.sinks import JsonlSink

    out = sys.stdout
    os.makedirs(args.out_dir, exist_ok=True)
    jsonl = os.path.join(args.out_dir, "okta-system-log.jsonl")
    state_dir = os.path.join(args.out_dir, "state")
    report = os.path.join(args.out_dir, "report.html")
    for stale in (jsonl,):
        if os.path.exists(stale):
            os.unlink(stale)
    store = FileCheckpointStore(state_dir)
    store.delete("demo")

    simulator = Simulator(SimulatorConfig(scenario="guide", seed=args.seed, events=args.events))
    facts = simulator.scenario_facts()
    with simulator.serve() as running:
        _say(out, f"[1/5] simulated Okta org on {running.base_url}: {args.events} events, seed {args.seed}")
        settings = ClientSettings(connect_timeout=5.0, read_timeout=30.0)
        with OktaClient(running.base_url, ApiTokenAuth(DEMO_TOKEN), settings=settings) as client:
            started = time.monotonic()
            poller = SystemLogPoller(client, store, "demo", since=simulator.config.start)
            with JsonlSink(jsonl) as sink:
                stats = poller.run(sink)
            took = time.monotonic() - started
            _say(out, f"[2/5] collected {stats.events} events to {jsonl} in {took:.1f} s")

            engine = HuntEngine(path=":memory:")
            engine.load_jsonl(jsonl)
            rules = load_rules(DEFAULT_RULES_DIR)
            findings = engine.run(rules)
            fired = len({finding.rule_id for finding in findings})
            _say(out, f"[3/5] hunted with the Sigma pack ({_alerting_rule_count(rules)} rules): "
                      f"{len(findings)} findings from {fired} rules")
            for stage, titles in _titles_by_stage(findings).items():
                _say(out, f"      {stage}: " + "; ".join(titles))
            write_html_report(engine, findings, report)
            _say(out, f"      report: {os.path.abspath(report)}")

            user = facts.compromised_login
            ip = facts.attacker_ips[0]
            _say(out, f"[4/5] containing {user} and {ip}")
            results = contain_compromise(client, user_login=user, attacker_ip=ip)
            for result in results:
                _say(out, f"      {result.action:<15} {result.target:<32} {result.outcome}")

            password = facts.compromised_password
            refused_ip = _attacker_signin_refused(running.base_url, user, password, ip, "blocked IP", out)
            refused_user = _attacker_signin_refused(
                running.base_url, user, password, CLEAN_IP, "suspended account, clean IP", out
            )
            refused = refused_ip and refused_user
            with JsonlSink(jsonl) as sink:
                resumed = poller.run(sink)
            _say(out, f"      collected {resumed.events} new events since containment (from the checkpoint)")
    if not refused:
        _say(out, "demo: the attacker could still sign in; containment did not hold")
        return 1
    _say(out, "demo: done")
    return 0


STAGE_ORDER = ("reconnaissance", "initial_compromise", "foothold_escalation", "mission")


def _titles_by_stage(findings: list[Any]) -> dict[str, list[str]]:
    """Distinct finding titles per lifecycle stage, stages in the order an intrusion runs."""
    grouped: dict[str, list[str]] = {stage: [] for stage in STAGE_ORDER}
    for finding in sorted(findings, key=lambda f: f.first_seen or ""):
        titles = grouped.setdefault(finding.stage or "other", [])
        if finding.title not in titles:
            titles.append(finding.title)
    return {stage: titles for stage, titles in grouped.items() if titles}


def _alerting_rule_count(rules: Any) -> int:
    """Rules that raise findings: correlations and the single rules no correlation consumes.

    pySigma marks a correlation's base rules (``generate: false``) with ``_output = False``.
    """
    return sum(1 for rule in rules.rules if getattr(rule, "_output", True))


def _attacker_signin_refused(
    base_url: str, user: str, password: str, ip: str, label: str, out: TextIO
) -> bool:
    """Replay the attacker's sign-in at the org's authn endpoint (as the attacker: no admin token).

    The simulator takes the client address from X-Forwarded-For. True when Okta refused the sign-in.
    """
    import httpx

    response = httpx.post(
        base_url + "/api/v1/authn",
        json={"username": user, "password": password},
        headers={"X-Forwarded-For": ip, "Accept": "application/json"},
        timeout=httpx.Timeout(10.0),
    )
    if response.status_code == 200:
        _say(out, f"[5/5] attacker sign-in as {user} from {ip} ({label}): SUCCEEDED")
        return False
    try:
        code = response.json().get("errorCode", "")
    except ValueError:
        code = ""
    status = f"{response.status_code} {code}".strip()
    _say(out, f"[5/5] attacker sign-in as {user} from {ip} ({label}): refused ({status})")
    return True
