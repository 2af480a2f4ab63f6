"""Python side of the rendering harness: runs ``dashboards/harness/render.js`` (Node + headless Chromium).

One call renders several dashboards in ONE browser launch and returns the harness report:
per dashboard its schema validation errors, the data source requests it made (queries with tokens
substituted), data sources without a snapshot, messages the visualizations displayed, console errors,
and for each requested click the tokens and requests it caused.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from dashboards.tabulate import Snapshot

HARNESS = Path(__file__).resolve().parent / "harness"
CHROMIUM = Path(os.environ.get("OKTA_IR_CHROMIUM", "/usr/bin/chromium"))
TIMEOUT_S = 240.0


class HarnessError(RuntimeError):
    """The harness could not run (missing Node, Chromium or npm packages) or crashed; the message says why."""


@dataclass
class DashboardJob:
    """One dashboard to render: its definition, a snapshot per data source id, what to do with it."""

    name: str
    definition: dict[str, Any]
    snapshots: dict[str, Snapshot]
    screenshot: Optional[Path] = None
    clicks: list[tuple[str, int]] = field(default_factory=list)  # (visualization id, table column from 1)

    def to_json(self) -> dict[str, Any]:
        """The job entry render.js reads."""
        return {
            "name": self.name,
            "definition": self.definition,
            "snapshots": self.snapshots,
            "screenshot": str(self.screenshot) if self.screenshot else None,
            "clicks": [{"viz": viz, "column": column} for viz, column in self.clicks],
        }


def check_ready() -> None:
    """Raise HarnessError naming the missing piece (and the command that installs it)."""
    if shutil.which("node") is None:
        raise HarnessError("node is not installed: install Node.js 18+ (apt-get install -y nodejs npm)")
    if not CHROMIUM.exists():
        raise HarnessError(f"{CHROMIUM} is missing: run `bash scripts/setup-browser.sh`")
    if not (HARNESS / "node_modules" / "@splunk" / "dashboard-core").is_dir():
        raise HarnessError("the harness's npm packages are missing: run `bash scripts/setup-browser.sh`")


def _node(script: str, args: list[str], what: str, timeout_s: float) -> Any:
    """Run a harness script; its stdout is JSON. HarnessError (one line) when it fails or hangs."""
    check_ready()
    try:
        proc = subprocess.run(
            ["node", str(HARNESS / script), *args],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
            env={**os.environ, "OKTA_IR_CHROMIUM": str(CHROMIUM)},
        )
    except subprocess.TimeoutExpired:
        raise HarnessError(f"{what} did not finish within {timeout_s:.0f} s") from None
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-5:]
        raise HarnessError(f"{what} failed (rc {proc.returncode}): {' | '.join(tail)}")
    return json.loads(proc.stdout)


def render(jobs: list[DashboardJob], timeout_s: float = TIMEOUT_S, width: int = 1440) -> list[dict[str, Any]]:
    """Render the dashboards in one headless Chromium; returns one report dict per job, in order."""
    check_ready()
    with tempfile.TemporaryDirectory(prefix="okta-ir-render-") as tmp:
        job_file = Path(tmp) / "job.json"
        job_file.write_text(json.dumps({"width": width, "dashboards": [j.to_json() for j in jobs]}), "utf-8")
        report = _node("render.js", [str(job_file)], "the dashboard harness", timeout_s)
    return list(report["dashboards"])


def open_page(page: Path, selectors: list[str], screenshot: Optional[Path] = None) -> dict[str, Any]:
    """Open a local HTML file in headless Chromium with the network cut off.

    Returns ``{"title", "errors": [console errors], "requests": [URLs it tried to fetch],
    "sections": {selector: {"present", "visible", "text"}}}``.
    """
    args = [str(page), json.dumps(selectors)] + ([str(screenshot)] if screenshot is not None else [])
    return dict(_node("open_page.js", args, f"opening {page}", TIMEOUT_S))
