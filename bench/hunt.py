"""Benchmark of `okta-ir hunt`: simulator events -> JSONL -> load + every rule on SQLite.

``run()`` generates ``OKTA_IR_BENCH_EVENTS`` (default 1,000,000) events of the simulator's "guide"
scenario, then times, in a fresh subprocess (so its peak RSS is the hunt's alone): loading the file
into a file-backed engine narrowed to the rules' columns, and running all the repository's rules.

``OKTA_IR_BENCH_JSONL=/path/events.jsonl`` reuses a file generated before (written there when it
does not exist yet), so repeated runs skip the generation. The loader's worker processes are
reported apart: their CPU seconds (also counted in load/rules CPU seconds) and the largest
worker's peak RSS (loader or rule worker: forked, so it includes pages shared with the parent).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["run"]


def _generate(path: Path, events: int) -> float:
    from okta_ir.simulator import Simulator, SimulatorConfig

    started = time.monotonic()
    with (
        Simulator(SimulatorConfig(scenario="guide", seed=7, events=events)).serve() as running,
        path.open("w", encoding="utf-8") as out,
    ):
        for line in running.ground_truth_raw():
            out.write(line if line.endswith("\n") else line + "\n")
    return time.monotonic() - started


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _hunt(events_path: str, db_path: str) -> dict[str, Any]:
    from detections.engine import HuntEngine
    from detections.rules import DEFAULT_RULES_DIR, load_rules

    started = time.monotonic()
    cpu_started = time.process_time()
    children_started = _children_cpu()
    rules = load_rules(DEFAULT_RULES_DIR)
    engine = HuntEngine(db_path, rules=rules)
    report = engine.load_jsonl(events_path)
    loaded = time.monotonic()
    cpu_loaded = time.process_time()
    workers_cpu = _children_cpu() - children_started
    rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    findings = engine.run(rules)
    done = time.monotonic()
    cpu_done = time.process_time()
    rule_workers_cpu = _children_cpu() - children_started - workers_cpu
    engine.close()
    return {
        "events_loaded": report.loaded,
        "lines_skipped": report.skipped,
        "rules": len(rules.rules),
        "findings": len(findings),
        "load_seconds": round(loaded - started, 2),
        "rules_seconds": round(done - loaded, 2),
        "hunt_seconds": round(done - started, 2),
        "load_cpu_seconds": round(cpu_loaded - cpu_started + workers_cpu, 2),
        "load_workers_cpu_seconds": round(workers_cpu, 2),
        "rules_cpu_seconds": round(cpu_done - cpu_loaded + rule_workers_cpu, 2),
        "rules_workers_cpu_seconds": round(rule_workers_cpu, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_rss_after_load_mib": round(rss_loaded, 1),
        "peak_rss_worker_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }


def run() -> dict[str, Any]:
    """Generate, then hunt in a subprocess; returns the figures (events/s end to end, RSS...)."""
    events = int(os.environ.get("OKTA_IR_BENCH_EVENTS", "1000000"))
    reuse = os.environ.get("OKTA_IR_BENCH_JSONL")
    with tempfile.TemporaryDirectory(prefix="okta-ir-bench-") as scratch:
        jsonl = Path(reuse) if reuse else Path(scratch) / "events.jsonl"
        generate_seconds = 0.0 if jsonl.exists() else _generate(jsonl, events)
        size_mib = jsonl.stat().st_size / 2**20
        db = str(Path(scratch) / "h.db")
        code = f"import json, bench.hunt as b; print(json.dumps(b._hunt({str(jsonl)!r}, {db!r})))"
        proc = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=3600,
            cwd=str(Path(__file__).resolve().parent.parent),
            check=True,
        )
        figures: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    figures.update(
        {
            "events_generated": events,
            "jsonl_mib": round(size_mib, 1),
            "generate_seconds": round(generate_seconds, 1),
            "events_per_second": round(figures["events_loaded"] / max(figures["hunt_seconds"], 1e-9)),
        # what the hunt achieves per CPU-second: comparable on a shared, busy machine
        "events_per_cpu_second": round(
            figures["events_loaded"] / max(figures["load_cpu_seconds"] + figures["rules_cpu_seconds"], 1e-9)
        ),
            "cpu_count": os.cpu_count(),
            "load_average_1m": round(os.getloadavg()[0], 2),
        }
    )
    return figures


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(run(), indent=2))
