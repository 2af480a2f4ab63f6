"""``make screenshots``: render the four dashboards from the simulator's guide scenario into docs/*.png.

The data is the project's own: the guide scenario's events (fixed seed), the shipped Sigma rules run by
the SQLite hunt engine, and a real containment of the compromised account against the simulated org
(through the one Okta client), whose results become the ``okta:ir:action`` audit events.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from dashboards.browser import DashboardJob, render
from dashboards.snapshots import Scenario, snapshots_for
from dashboards.sources import REPO_ROOT, definitions, hunt

DOCS = REPO_ROOT / "docs"
SEED = 7
EVENTS = 3000
TOKEN = "screenshot-token"  # the simulator accepts any API token unless configured otherwise


def _later(stamp: str, minutes: int) -> str:
    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")) + dt.timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def contain(running: Any, facts: Any, search_name: str) -> list[dict[str, Any]]:
    """Contain the guide's compromised account for real against the served org; its audit events."""
    from okta_ir.containment.safety import ContainmentPolicy
    from okta_ir.okta.auth import ApiTokenAuth
    from okta_ir.okta.client import OktaClient
    from okta_ir.okta.containment import contain_compromise, run_action
    from okta_ir.splunk.audit import AuditContext, audit_event

    policy = ContainmentPolicy(
        protected_users=frozenset({facts.protected_admin_login}),
        quarantine_group_id=facts.quarantine_group_id,
        blocklist_zone_id=facts.blocklist_zone_id,
    )
    context = AuditContext(
        search_name=search_name,
        sid="scheduler__nobody_VEEtb2t0YS1pcg",
        owner="nobody",
        app="TA-okta-ir",
        org="simulated-org",
    )
    with OktaClient(running.base_url, ApiTokenAuth(TOKEN)) as client:
        results = contain_compromise(client, facts.compromised_login, facts.spray_ip, policy)
        results += run_action(client, "suspend", [facts.protected_admin_login], policy)
        results += run_action(client, "suspend", [facts.sprayed_logins[0]], policy, dry_run=True)
    return [audit_event(r, context, time=_later(facts.attack_end, 5 + i)) for i, r in enumerate(results)]


def guide(events: int = EVENTS, seed: int = SEED) -> Scenario:
    """The guide scenario with its findings and a real containment audit trail."""
    from okta_ir.simulator import Simulator, SimulatorConfig

    simulator = Simulator(SimulatorConfig(scenario="guide", seed=seed, events=events))
    facts = simulator.scenario_facts()
    with simulator.serve() as running:
        scenario = hunt(list(running.ground_truth()))
        flagged = [f for f in scenario.findings if f.stage == "initial_compromise"] or list(scenario.findings)
        scenario.audit = contain(running, facts, flagged[0].title if flagged else "manual")
    scenario.pivot = facts.compromised_login
    return scenario


def pivoted(definition: dict[str, Any], value: str) -> dict[str, Any]:
    """The investigation dashboard opened on ``value`` (as a lifecycle drilldown would open it)."""
    copy = json.loads(json.dumps(definition))
    copy["inputs"]["input_pivot"]["options"]["defaultValue"] = value
    return copy


def main(argv: list[str] | None = None) -> int:
    """Write docs/<dashboard>.png for the four dashboards."""
    parser = argparse.ArgumentParser(
        prog="python -m dashboards.screenshots", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, default=DOCS, help="directory for the PNG files (default: docs/)")
    parser.add_argument("--events", type=int, default=EVENTS, help="events in the guide scenario")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    scenario = guide(args.events)
    defs = definitions()
    defs["investigation"] = pivoted(defs["investigation"], scenario.pivot)
    jobs = [
        DashboardJob(name, definition, snapshots_for(name, scenario), args.out / f"{name}.png")
        for name, definition in defs.items()
    ]
    failed = 0
    for report in render(jobs):
        problems = report["validation"] + report["missing"] + report["errors"]
        empty = sorted({m["viz"] for m in report["messages"] if "No data" in m["text"]})
        problems += [m["text"] for m in report["messages"] if "No data" not in m["text"]]
        status = "ok" if not problems else "; ".join(map(str, problems[:3]))
        status += f" (no data in the scenario for {', '.join(empty)})" if empty else ""
        failed += bool(problems)
        print(f"{args.out / (report['name'] + '.png')}: {len(report['rendered'])} panels, {status}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
