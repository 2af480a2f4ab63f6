"""Benchmark of the add-on's input: start-up import cost and XML stream throughput (never asserted)."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "addon" / "package" / "bin" / "okta_system_log.py"


def _best_of(command: List[str], runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, timeout=60, check=True)
        best = min(best, time.perf_counter() - started)
    return best


def _events(count: int) -> List[Dict[str, Any]]:
    from okta_ir.events import format_okta_time
    from okta_ir.simulator import Simulator, SimulatorConfig
    from okta_ir.okta.auth import ApiTokenAuth
    from okta_ir.okta.client import ClientSettings, OktaClient

    events: List[Dict[str, Any]] = []
    with Simulator(SimulatorConfig(scenario="guide", seed=7, events=count)).serve() as running:
        with OktaClient(running.base_url, ApiTokenAuth("bench"), settings=ClientSettings(rate_limit_share=1.0)) as c:
            since = format_okta_time(time.time() - 179 * 86400)
            url = f"{running.base_url}/api/v1/logs?since={since}&limit=1000"
            while len(events) < count:
                page = c.get_page(url)
                if not page.items:
                    break
                events.extend(page.items)
                url = page.next_url or url
    return events[:count]


def run() -> Dict[str, Any]:
    """Figures: --scheme wall time, run-path import time, events/s of XmlEventStream for 100k events."""
    from okta_ir.splunk.xmlstream import XmlEventStream

    python = sys.executable
    scheme_s = _best_of([python, str(SCRIPT), "--scheme"])
    bare_s = _best_of([python, "-c", "pass"])
    imports = (
        "import sys; sys.path.insert(0, %r); import okta_ir.splunk.modinput, okta_ir.okta.client, "
        "okta_ir.okta.system_log, okta_ir.splunk.kvstore, okta_ir.splunk.credentials, "
        "okta_ir.splunk.xmlstream" % str(SCRIPT.parent)
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
