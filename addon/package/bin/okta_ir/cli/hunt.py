"""`okta-ir hunt FILE.jsonl`: run the Sigma rules over collected Okta events on an embedded SQLite.

Table output groups findings by lifecycle stage; ``--format json`` prints the findings as a JSON list
(field names documented in docs/hunt-json.md), or an object with ``findings`` plus ``iocs`` /
``session`` when those views are asked for.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from okta_ir.cli import CommandError

__all__ = ["STAGE_ORDER", "register"]

STAGE_ORDER = ("reconnaissance", "initial_compromise", "foothold_escalation", "mission")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``hunt`` subcommand."""
    parser = subparsers.add_parser(
        "hunt",
        help="run the Sigma rules over a JSONL file of Okta events",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument(
        "events", metavar="FILE.jsonl", type=Path, help="Okta System Log events, one per line"
    )
    parser.add_argument(
        "--rules",
        type=Path,
        default=None,
        help="Sigma rules file or directory (default: the repository's sigma-rules/)",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    parser.add_argument("--iocs", action="store_true", help="also list indicators of compromise")
    parser.add_argument("--session", metavar="ID", help="also print the timeline of this externalSessionId")
    parser.add_argument(
        "--html", metavar="REPORT.html", type=Path, help="also write a self-contained HTML hunt report"
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="keep the SQLite database at this new path (default: a temporary file)",
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from detections.rules import DEFAULT_RULES_DIR, load_rules

    rules_path = args.rules or DEFAULT_RULES_DIR
    if not rules_path.exists():
        raise CommandError(f"rules {str(rules_path)!r} not found: pass --rules DIR")
    if not args.events.is_file():
        raise CommandError(f"events file {str(args.events)!r} does not exist or is not a file")
    if args.db is not None and args.db.exists():
        raise CommandError(f"--db {str(args.db)!r} already exists: choose a new path or delete it")
    rules = load_rules(rules_path)
    with tempfile.TemporaryDirectory(prefix="okta-ir-hunt-") as scratch:
        return _hunt(args, rules, args.db or Path(scratch) / "hunt.db")


def _hunt(args: argparse.Namespace, rules: Any, db: Path) -> int:
    from detections.analyst import iocs, session_timeline
    from detections.engine import HuntEngine

    # the HTML report's map needs sign-in coordinates, which the rules alone do not load
    with HuntEngine(db, rules=None if args.html else rules) as engine:
        report = engine.load_jsonl(args.events)
        print(f"okta-ir hunt: {report.summary()}", file=sys.stderr)
        if report.loaded == 0 and report.skipped:
            raise CommandError(f"no line of {args.events} is an Okta event ({report.summary()})")
        findings = engine.run(rules)
        ioc = iocs(engine, findings) if args.iocs else None
        timeline = session_timeline(engine, args.session, findings) if args.session else None
        if args.html:
            from detections.report import write_html_report

            written = write_html_report(engine, findings, args.html)
            print(f"okta-ir hunt: report written to {written}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(_json(findings, ioc, args.session, timeline), indent=2))
    else:
        print(_table(findings, ioc, args.session, timeline))
    return 0


def _json(findings: list[Any], ioc: Any, session: str | None, timeline: list[Any] | None) -> Any:
    items = [f.to_dict() for f in findings]
    if ioc is None and timeline is None:
        return items
    out: dict[str, Any] = {"findings": items}
    if ioc is not None:
        out["iocs"] = ioc.to_dict()
    if timeline is not None:
        out["session"] = {"id": session, "timeline": [t.to_dict() for t in timeline]}
    return out


def _stage_key(stage: str) -> tuple[int, str]:
    return (STAGE_ORDER.index(stage), stage) if stage in STAGE_ORDER else (len(STAGE_ORDER), stage or "~")


def _table(findings: list[Any], ioc: Any, session: str | None, timeline: list[Any] | None) -> str:
    lines: list[str] = []
    if not findings:
        lines.append("No findings.")
    for stage in sorted({f.stage for f in findings}, key=_stage_key):
        members = [f for f in findings if f.stage == stage]
        lines.append(f"== {stage or 'no stage'} ({len(members)}) ==")
        for f in members:
            group = " ".join(f"{k}={v}" for k, v in f.group.items())
            lines.append(
                f"  {f.level:<13} {f.kind:<11} {f.count:>6}  {f.first_seen or '-'} .. {f.last_seen or '-'}  "
                f"{f.title}" + (f"  [{group}]" if group else "")
            )
    if ioc is not None:
        lines.append("== indicators ==")
        for name, values in ioc.to_dict().items():
            shown = ", ".join(f"{v} ({n})" for v, n in values[:10]) or "-"
            lines.append(f"  {name}: {shown}")
    if timeline is not None:
        lines.append(f"== session {session} ({len(timeline)} events) ==")
        for t in timeline:
            flagged = f"  <- {'; '.join(t.rules)}" if t.rules else ""
            lines.append(
                f"  {t.published}  {t.event_type:<40} {t.actor}  {t.client_ip}  {t.outcome}{flagged}"
            )
    return "\n".join(lines)
