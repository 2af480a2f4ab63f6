"""Benchmark of the add-on's input: start-up import cost and XML stream throughput (never asserted)."""

from __future__ import annotations

import io
import json
import os
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


def _splunklib_seconds(events: list[dict[str, Any]]) -> float:
    """Seconds splunklib's EventWriter (json.dumps, ElementTree, one flush per event) takes for ``events``."""
    import json

    from splunklib.modularinput import Event, EventWriter

    with open(os.devnull, "w", encoding="utf-8") as sink:
        writer = EventWriter(output=sink, error=io.StringIO())
        started = time.perf_counter()
        for event in events:
            item = Event(data=json.dumps(event), sourcetype="OktaIM2:log", index="okta", time="0.000")
            writer.write_event(item)
        return time.perf_counter() - started


def _ours_seconds(events: list[dict[str, Any]]) -> float:
    """Seconds XmlEventStream takes for ``events`` in batches of 1000 (the poller's page size)."""
    from okta_ir.splunk.xmlstream import XmlEventStream

    with open(os.devnull, "wb") as sink:
        stream = XmlEventStream(sink, index="okta", source="okta:bench", stanza="okta_system_log://bench")
        started = time.perf_counter()
        for i in range(0, len(events), 1000):
            stream.write_batch(events[i : i + 1000])
        return time.perf_counter() - started


def run() -> dict[str, Any]:
    """Figures: --scheme wall time, run-path import time, events/s of XmlEventStream for 100k events
    (with json encoding alone and splunklib's EventWriter on 20k of them for comparison)."""
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
    sample = events[:20_000]
    encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False).encode

    def json_seconds(batch: list[dict[str, Any]]) -> float:
        started = time.perf_counter()
        for event in batch:
            encode(event)
        return time.perf_counter() - started

    # the machine is shared: interleave the three measurements on the same events, keep each one's best round
    best = {"ours": float("inf"), "splunklib": float("inf"), "json": float("inf")}
    for _ in range(3):
        best["ours"] = min(best["ours"], _ours_seconds(sample))
        best["splunklib"] = min(best["splunklib"], _splunklib_seconds(sample))
        best["json"] = min(best["json"], json_seconds(sample))
    ours_all = _ours_seconds(events)
    size = len(b"".join(json.dumps(e).encode() for e in sample)) * len(events) / len(sample)
    return {
        "splunklib_eventwriter_events_per_s": round(len(sample) / best["splunklib"]),
        "json_encode_only_events_per_s": round(len(sample) / best["json"]),
        "xml_events_per_s_best_20k": round(len(sample) / best["ours"]),
        "scheme_wall_s": round(scheme_s, 3),
        "python_startup_s": round(bare_s, 3),
        "run_path_imports_wall_s": round(run_imports_s, 3),
        "xml_events": len(events),
        "xml_events_per_s": round(len(events) / ours_all),
        "json_mb_approx": round(size / 1e6, 1),
    }
