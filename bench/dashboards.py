"""Figures of the dashboards and the HTML report (run by ``make bench``; never asserted).

* render: one headless-Chromium launch rendering the four dashboards from the guide scenario
  (wall time of the whole harness run and each dashboard's time to settle);
* report: the HTML hunt report over a larger guide scenario (hunt excluded): time and size.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

REPORT_EVENTS = 20_000


def _render() -> dict[str, Any]:
    from dashboards.browser import DashboardJob, render
    from dashboards.screenshots import guide
    from dashboards.snapshots import snapshots_for
    from dashboards.sources import definitions

    scenario = guide()
    jobs = [DashboardJob(n, d, snapshots_for(n, scenario)) for n, d in definitions().items()]
    started = time.monotonic()
    reports = render(jobs)
    figures: dict[str, Any] = {"render_four_dashboards_s": round(time.monotonic() - started, 1)}
    for report in reports:
        figures[f"render_{report['name']}_ms"] = report["ms"]
    return figures


def _report() -> dict[str, Any]:
    from dashboards.sources import guide_events
    from detections.engine import HuntEngine
    from detections.report import write_html_report
    from detections.rules import DEFAULT_RULES_DIR, load_rules

    events = guide_events(REPORT_EVENTS)
    rules = load_rules(DEFAULT_RULES_DIR)
    with HuntEngine() as engine, tempfile.TemporaryDirectory() as tmp:
        engine.load_events(events)
        findings = engine.run(rules)
        started = time.monotonic()
        page = write_html_report(engine, findings, Path(tmp) / "report.html")
        elapsed = time.monotonic() - started
        size = page.stat().st_size
    return {
        "report_events": len(events),
        "report_findings": len(findings),
        "report_write_s": round(elapsed, 2),
        "report_kib": round(size / 1024),
    }


def run() -> dict[str, Any]:
    """Both measurements."""
    return {**_render(), **_report()}
