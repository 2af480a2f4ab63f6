"""Content-pack figures on the simulated org: speed of the whole pack, per-rule cost, and false
positives of the everyday background at a larger size than the tests use. Run: python -m bench sigma_rules."""

from __future__ import annotations

import time
from typing import Any

from okta_ir.simulator import Simulator, SimulatorConfig

from detections.engine import HuntEngine
from detections.rules import DEFAULT_RULES_DIR, load_rules

EVENTS = 100_000
SEED = 11


def _scenario(scenario: str) -> dict[str, Any]:
    rules = load_rules(DEFAULT_RULES_DIR)
    started = time.monotonic()
    with Simulator(SimulatorConfig(scenario=scenario, seed=SEED, events=EVENTS)).serve() as running:
        raw = list(running.ground_truth_raw())
    generated = time.monotonic()
    with HuntEngine(rules=rules) as engine:
        engine.load_events(raw)
        loaded = time.monotonic()
        findings = engine.run(rules)
        ran = time.monotonic()
        per_rule = []
        for rule in rules.get_output_rules():
            one = load_rules(DEFAULT_RULES_DIR)
            one.rules = [r for r in one.rules if r.id == rule.id or not r._output]
            t0 = time.monotonic()
            engine.run(one)
            per_rule.append((round(time.monotonic() - t0, 3), rule.title))
    per_rule.sort(reverse=True)
    return {
        "events": len(raw),
        "generate_s": round(generated - started, 2),
        "load_s": round(loaded - generated, 2),
        "run_all_rules_s": round(ran - loaded, 2),
        "events_per_s_load_and_run": round(len(raw) / (ran - generated)),
        "findings": len(findings),
        "rules_fired": sorted({f.title for f in findings}),
        "slowest_rules_s": per_rule[:5],
    }


def run() -> dict[str, Any]:
    """Figures for the guide and the background scenario at EVENTS events."""
    return {"guide": _scenario("guide"), "background": _scenario("background")}
