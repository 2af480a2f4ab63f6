"""Read a splunk-appinspect JSON report: print counts and each failure/error; exit 1 unless both are 0."""

from __future__ import annotations

import json
import sys
from typing import Any


def verdict(report: dict[str, Any]) -> tuple[dict[str, int], list[str]]:
    """(summary counts, one line per failed or errored check) of an AppInspect JSON report."""
    summary = {k: int(v) for k, v in (report.get("summary") or {}).items() if isinstance(v, int)}
    problems = []
    for report_item in report.get("reports", []):
        for group in report_item.get("groups", []):
            for check in group.get("checks", []):
                if check.get("result") in ("failure", "error"):
                    messages = "; ".join(m.get("message", "") for m in check.get("messages", []))[:400]
                    problems.append(f"{check['result'].upper()} {check.get('name')}: {messages}")
    return summary, problems


def main(argv: list[str]) -> int:
    """Entry point: ``python scripts/appinspect_verdict.py REPORT.json``."""
    if len(argv) != 1:
        print("usage: appinspect_verdict.py REPORT.json", file=sys.stderr)
        return 2
    try:
        with open(argv[0], encoding="utf-8") as handle:
            report = json.load(handle)
    except (OSError, ValueError) as exc:
        print(f"cannot read the AppInspect report {argv[0]}: {exc}", file=sys.stderr)
        return 1
    summary, problems = verdict(report)
    print("appinspect: " + ", ".join(f"{k}={v}" for k, v in sorted(summary.items())))
    for line in problems:
        print(line, file=sys.stderr)
    if summary.get("failure", 0) or summary.get("error", 0) or problems:
        print("appinspect found failures or errors: the app is not releasable", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
