"""Simulator benchmark: how fast the simulated org renders and serves System Log pages.

Figures (nothing asserted):
- render_events_per_s: events rendered to JSON text in-process (no HTTP);
- served_events_per_s_raw: pages of 1000 over HTTP keep-alive, client reads bytes only;
- served_events_per_s_parsed: same, client also json.loads every page (what a collector pays);
- bounded_events_per_s: bounded (since/until, published order) pages of 1000;
- filtered_scan_events_per_s: events examined per second by a polling query with a filter;
- build_seconds_1m / peak_mb_1m: constructing a 1M-event org and rendering its last 10k events.
Run alone with `python -m bench.simulator`; `OKTA_IR_BENCH_SIM_PAGES` changes the page count (default 100).
"""

from __future__ import annotations

import json
import os
import time
import tracemalloc
import urllib.parse
import urllib.request
from typing import Any, Optional

from okta_ir.simulator import Simulator, SimulatorConfig

__all__ = ["run"]

_AUTH = {"Authorization": "SSWS bench"}


def _get(url: str) -> Any:
    req = urllib.request.Request(url, headers=_AUTH)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.read(), resp.headers.get_all("link") or []


def _next(links: Any) -> Optional[str]:
    for link in links:
        if link.endswith('rel="next"'):
            return str(link[1 : link.index(">")])
    return None


def _serve(sim: Simulator, first_path: str, pages: int, parse: bool) -> float:
    with sim.serve() as running:
        url: Optional[str] = running.base_url + first_path
        events = 0
        started = time.perf_counter()
        for _ in range(pages):
            if url is None:
                break
            body, links = _get(url)
            events += len(json.loads(body)) if parse else body.count(b'"uuid":')
            url = _next(links)
        return events / (time.perf_counter() - started)


def run() -> dict[str, Any]:
    """Measure and return the figures."""
    pages = int(os.environ.get("OKTA_IR_BENCH_SIM_PAGES", "100"))
    sim = Simulator(SimulatorConfig(scenario="guide", seed=7, events=max(200_000, pages * 1000 + 10_000)))
    store = sim.org.store
    started = time.perf_counter()
    rendered = sum(1 for _ in store.iter_raw(0, 50_000))
    render_rate = rendered / (time.perf_counter() - started)
    raw = _serve(sim, "/api/v1/logs?limit=1000", pages, parse=False)
    parsed = _serve(sim, "/api/v1/logs?limit=1000", pages, parse=True)
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(store.start_ms / 1000))
    until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(store.end_ms / 1000))
    bounded = _serve(sim, f"/api/v1/logs?limit=1000&since={since}&until={until}", pages // 2, parse=False)
    flt = urllib.parse.quote('eventType eq "user.session.start" and outcome.result eq "FAILURE"')
    started = time.perf_counter()
    with sim.serve() as running:
        body, _ = _get(f"{running.base_url}/api/v1/logs?limit=1000&filter={flt}")
    filtered = 50_000 / (time.perf_counter() - started)  # one request examines SCAN_BUDGET events at most
    tracemalloc.start()
    started = time.perf_counter()
    big = Simulator(SimulatorConfig(scenario="guide", seed=1, events=1_000_000))
    build = time.perf_counter() - started
    tail = sum(1 for _ in big.org.store.iter_raw(990_000, 1_000_000))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "render_events_per_s": round(render_rate),
        "served_events_per_s_raw": round(raw),
        "served_events_per_s_parsed": round(parsed),
        "bounded_events_per_s": round(bounded),
        "filtered_scan_events_per_s": round(filtered),
        "filtered_matches_first_page": body.count(b'"uuid":'),
        "build_seconds_1m": round(build, 3),
        "tail_events_rendered_1m": tail,
        "peak_mb_1m": round(peak / 1e6, 1),
        "pages": pages,
    }


if __name__ == "__main__":
    print(json.dumps(run(), sort_keys=True))
