"""Benchmark of the add-on's input: start-up import cost and XML stream throughput (never asserted)."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "addon" / "package" / "bin" / "okta_system_log.py"


def _best_of(command: list[str], runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, timeout=60, check=True)
        best = min(best, time.perf_counter() - started)
    return best


def _events(count: int) -> list[dict[str, Any]]:
    from okta_ir.events import format_okta_time
    from okta_ir.okta.auth import ApiTokenAuth
    from okta_ir.okta.client import ClientSettings, OktaClient
    from okta_ir.simulator import Simulator, SimulatorConfig

    events: list[dict[str, Any]] = []
    settings = ClientSettings(rate_limit_share=1.0)
    simulator = Simulator(SimulatorConfig(scenario="guide", seed=7, events=count))
    auth = ApiTokenAuth("bench")
    with simulator.serve() as running, OktaClient(running.base_url, auth, settings=settings) as c:
        since = format_okta_time(time.time() - 179 * 86400)
        url = f"{running.base_url}/api/v1/logs?since={since}&limit=1000"
        while len(events) < count:
            page = c.get_page(url)
            if not page.items:
                break
            events.extend(page.items)
            url = page.next_url or url
    return events[:count]


def run() -> dict[str, Any]:
    """Figures: --scheme wall time, run-path import time, events/s of XmlEventStream for 100k events."""
    from okta_ir.splunk.xmlstream import XmlEventStream

    python = sys.executable
    scheme_s = _best_of([python, str(SCRIPT), "--scheme"])
    bare_s = _best_of([python, "-c", "pass"])
    imports = (
        f"import sys; sys.path.insert(0, {str(SCRIPT.parent)!r}); "
        "import okta_ir.splunk.modinput, okta_ir.okta.client, "
        "okta_ir.okta.system_log, okta_ir.splunk.kvstore, okta_ir.splunk.credentials, "
        "okta_ir.splunk.xmlstream"
    )
    run_imports_s = _best_of([python, "-c", imports])
    events = _events(100_000)
    out = io.BytesIO()
    sink = XmlEventStream(out, index="okta", source="okta:bench", stanza="okta_system_log://bench")
    started = time.perf_counter()
    for i in range(0, len(events), 1000):
        sink.write_batch(events[i : i + 1000])
    elapsed = time.perf_counter() - started
    return {
        "scheme_wall_s": round(scheme_s, 3),
        "python_startup_s": round(bare_s, 3),
        "run_path_imports_wall_s": round(run_imports_s, 3),
        "xml_events": len(events),
        "xml_events_per_s": round(len(events) / elapsed) if elapsed else None,
        "xml_mb": round(len(out.getvalue()) / 1e6, 1),
    }
