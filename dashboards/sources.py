"""What the dashboards are rendered with: the definitions the build writes, and a scenario computed by the
project's own code (events -> the hunt engine's findings with the shipped Sigma rules)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Optional

from dashboards.snapshots import Scenario
from dashboards.tabulate import Event
from detections.build import REPO_ROOT, BuildContext
from detections.dashboards import all_definitions
from detections.engine import HuntEngine
from detections.rules import load_rules

RULES_DIR = REPO_ROOT / "sigma-rules"


def definitions(rules_dir: Path = RULES_DIR) -> dict[str, dict[str, Any]]:
    """The four dashboard definitions exactly as ``okta-ir build`` writes them into the app."""
    context = BuildContext(root=REPO_ROOT, rules=load_rules(rules_dir))
    return all_definitions(context.rules, context.compile_search)


def hunt(
    events: Sequence[Event], audit: Sequence[Mapping[str, Any]] = (), rules_dir: Path = RULES_DIR
) -> Scenario:
    """Run the shipped rules over the events (SQLite engine); bundle what the dashboards show."""
    rules = load_rules(rules_dir)
    with HuntEngine(rules=rules) as engine:
        engine.load_events(events)
        findings = engine.run(rules)
    return Scenario(events=list(events), rules=rules, findings=findings, audit=list(audit))


def guide_events(events: int = 3000, seed: int = 7) -> list[dict[str, Any]]:
    """The simulator's guide scenario (fixed seed): every event it would serve, in order."""
    from okta_ir.simulator import Simulator, SimulatorConfig

    simulator = Simulator(SimulatorConfig(scenario="guide", seed=seed, events=events))
    with simulator.serve() as running:
        return list(running.ground_truth())


def guide_scenario(
    events: int = 3000, seed: int = 7, audit: Optional[Sequence[Mapping[str, Any]]] = None
) -> Scenario:
    """The guide scenario hunted with the shipped rules."""
    return hunt(guide_events(events, seed), audit or ())
