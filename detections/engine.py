"""Run Sigma rules over Okta System Log events on an embedded SQLite database.

    engine = HuntEngine()                      # ":memory:" or a file path
    engine.load_jsonl("events.jsonl")          # streaming; bad lines skipped and reported
    findings = engine.run(load_rules("sigma-rules"))

Findings:

* single-event rule -> ONE finding per rule holding every matched event (``kind="event"``,
  ``group={}``, ``count`` = matched events);
* correlation rule -> one finding per group-by value set (``kind="correlation"``); the sliding
  windows pySigma's SQLite backend finds for that group are merged: ``event_uuids`` are all the
  events of every qualifying window, ``first_seen``/``last_seen`` the earliest and latest of them.

Correlation windows are sliding and based on ``published`` (any ISO-8601 form SQLite's
``julianday`` reads: ``2024-01-01T00:00:00.000Z``, ``2024-01-01 00:00:00.000``).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sigma.backends.sqlite.runtime import execute_plan
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule, SigmaCorrelationType
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule

from detections.errors import HuntInputError, RuleConversionError, UnknownFieldError
from detections.fields import FIELDS, field_by_okta_path
from detections.linear_correlations import LinearCorrelations, is_sweepable, is_temporal_sweepable
from detections.loader import Loader, LoadReport, columns_for, event_lines
from detections.parallel_load import load_parallel
from detections.parallel_run import run_tasks
from detections.rules import fresh_copy, rule_name, stage
from detections.sqlite_backend import (
    OktaSqliteBackend,
    array_value_field,
    member_array_sql,
    quote_identifier,
)

__all__ = ["BASE_FIELDS", "Finding", "HuntEngine", "rule_fields"]

#: Fields always loaded: what findings, IOCs and session timelines read.
BASE_FIELDS = (
    "uuid",
    "published",
    "eventType",
    "displayMessage",
    "actor.alternateId",
    "client.ipAddress",
    "client.userAgent.rawUserAgent",
    "client.geographicalContext.country",
    "outcome.result",
    "outcome.reason",
    "target.displayName",
    "authenticationContext.externalSessionId",
)

SUBSET_ROWID = "okta_ir_rowid"
#: Files this large are parsed by one process per CPU (see detections.parallel_load).
PARALLEL_MIN_BYTES = 64 * 2**20
#: Databases this large run their rules in one process per CPU (see detections.parallel_run).
PARALLEL_MIN_EVENTS = 200_000
# pySigma-sqlite's materialized correlation plans (indexed temp tables): far faster than its one-query CTEs
PLAN_FORMAT = "zircolite"
_FINAL_PREFIX = "SELECT * FROM logs WHERE "
ISO_UTC = "strftime('%Y-%m-%dT%H:%M:%fZ', {col})"


@dataclass
class Finding:
    """One detection result; field names are stable (the JSON output of ``okta-ir hunt``)."""

    rule_id: str
    title: str
    level: str
    stage: str
    kind: str  # "event" | "correlation"
    event_uuids: list[str]
    group: dict[str, str] = field(default_factory=dict)
    first_seen: str | None = None
    last_seen: str | None = None
    count: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with exactly the dataclass's fields."""
        return asdict(self)


def rule_fields(rules: SigmaCollection) -> list[str]:
    """Okta paths the rules read (detection fields, group-by and value_count fields).

    Raises :class:`UnknownFieldError` naming the rule and field for a field outside the map.
    """
    paths: list[str] = []

    def walk(detection: Any, title: str) -> None:
        for item in detection.detection_items:
            if hasattr(item, "detection_items"):
                walk(item, title)
            elif item.field is not None:
                paths.append(field_by_okta_path(item.field, title).okta_path)

    for rule in rules.rules:
        title = rule_name(rule)
        if isinstance(rule, SigmaRule):
            for detection in rule.detection.detections.values():
                walk(detection, title)
        else:
            for name in list(rule.group_by or []) + _fieldrefs(rule):
                paths.append(field_by_okta_path(name, title).okta_path)
    return sorted(set(paths))


def _fieldrefs(rule: SigmaCorrelationRule) -> list[str]:
    ref = getattr(rule.condition, "fieldref", None)
    if ref is None:
        return []
    return list(ref) if isinstance(ref, list) else [ref]


def _linear_value_count(rule: SigmaCorrelationRule) -> bool:
    """A value_count over base rules only, with a plain condition: run by detections.sliding."""
    return rule.type == SigmaCorrelationType.VALUE_COUNT and is_sweepable(rule)


def _linear_event_count(rule: SigmaCorrelationRule) -> bool:
    """An event_count over base rules only, with a plain condition: run by detections.sliding."""
    return rule.type == SigmaCorrelationType.EVENT_COUNT and is_sweepable(rule)


def _linear(rule: SigmaCorrelationRule) -> bool:
    """Whether detections.linear_correlations runs the rule (else the backend's plan does)."""
    if _linear_value_count(rule) or _linear_event_count(rule):
        return True
    return _linear_temporal(rule)


def _linear_temporal(rule: SigmaCorrelationRule) -> bool:
    """An unordered temporal over base rules and linear event/value counts grouped alike."""
    return is_temporal_sweepable(rule, lambda child: _linear_value_count(child) or _linear_event_count(child))


def _regexp(pattern: str | None, value: Any) -> bool:
    if pattern is None or value is None:
        return False
    return re.search(pattern, str(value)) is not None


class HuntEngine:
    """An SQLite database of Okta events and the rules to run over it.

    ``rules`` (optional) narrows loading to the columns those rules (and findings) need, which
    makes loading much faster; without it every field of the map is loaded.
    """

    def __init__(
        self,
        path: str | Path = ":memory:",
        rules: SigmaCollection | None = None,
        cache_kib: int = 65536,
    ) -> None:
        self.path = str(path)
        self.cache_kib = cache_kib
        self.connection = self.connect()
        needed = rule_fields(rules) if rules is not None else [s.okta_path for s in FIELDS]
        wanted = list(BASE_FIELDS) + needed
        existing = self._existing_columns()
        self.columns = existing or columns_for(wanted)
        self.loader = Loader(self.connection, self.columns)
        self.report = LoadReport()

    def connect(self) -> sqlite3.Connection:
        """A new connection to the database, set up as the engine's own (REGEXP, pragmas)."""
        connection = sqlite3.connect(self.path)
        connection.create_function("REGEXP", 2, _regexp, deterministic=True)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", f"cache_size = -{int(self.cache_kib)}",
                       "temp_store = FILE"):
            connection.execute(f"PRAGMA {pragma}")
        return connection

    def _existing_columns(self) -> list[str]:
        rows = self.connection.execute("PRAGMA table_info(logs)").fetchall()
        return [row[1] for row in rows]

    def close(self) -> None:
        """Close the database."""
        self.connection.close()

    def __enter__(self) -> HuntEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # loading ---------------------------------------------------------------------------------
    def load_jsonl(self, path: str | Path, workers: int | None = None) -> LoadReport:
        """Stream a JSON-lines file in (``-`` is not accepted); returns this load's report.

        ``workers``: processes parsing the file in parallel (default: one per CPU for files of
        at least :data:`PARALLEL_MIN_BYTES`, else 1); the rows and the report do not depend on it.
        """
        file = Path(path)
        if not file.is_file():
            raise HuntInputError(f"events file {str(file)!r} does not exist or is not a file")
        if workers is None:
            workers = (os.cpu_count() or 1) if file.stat().st_size >= PARALLEL_MIN_BYTES else 1
        if workers > 1:
            scratch = None if self.path == ":memory:" else Path(self.path).resolve().parent
            report = load_parallel(self.connection, self.columns, file, workers, scratch_dir=scratch)
        else:
            report = LoadReport()
            with file.open("r", encoding="utf-8", errors="replace", newline=None) as handle:
                self.loader.load_lines(handle, report)
        self._accumulate(report)
        return report

    def load_events(self, events: Iterable[Any]) -> LoadReport:
        """Load dicts (or JSON strings), numbered from 1 in the report."""
        report = self.loader.load_lines(event_lines(events), LoadReport())
        self._accumulate(report)
        return report

    def _accumulate(self, report: LoadReport) -> None:
        self.report.loaded += report.loaded
        self.report.blank += report.blank
        self.report.add_skipped(report.skipped_lines)
        self.report.skipped += report.skipped - len(report.skipped_lines)

    def event_count(self) -> int:
        """Events stored."""
        return int(self.connection.execute("SELECT COUNT(*) FROM logs").fetchone()[0])

    # running ---------------------------------------------------------------------------------
    def run(self, rules: SigmaCollection, workers: int | None = None) -> list[Finding]:
        """Run every rule; findings ordered by first_seen then title.

        ``workers``: processes running rules side by side (file databases only; default: one per
        CPU from :data:`PARALLEL_MIN_EVENTS` events on); the findings do not depend on it.
        Raises :class:`RuleConversionError` / :class:`UnknownFieldError` naming the rule that cannot run.
        """
        collection = fresh_copy(rules)
        self._check_columns(collection)
        backend = OktaSqliteBackend()
        backend.init_processing_pipeline(None)
        tasks: list[tuple[Any, str | None]] = []
        for rule in collection.rules:
            if isinstance(rule, SigmaRule):
                tasks.extend((rule, query) for query in self._convert(backend, rule))
        tasks.extend((rule, None) for rule in collection.rules if isinstance(rule, SigmaCorrelationRule))
        if workers is None:
            workers = (os.cpu_count() or 1) if self.event_count() >= PARALLEL_MIN_EVENTS else 1
        if workers > 1 and self.path != ":memory:" and len(tasks) > 1:
            results = run_tasks(self, tasks, workers)
        else:
            results = [self.run_task(rule, query) for rule, query in tasks]
        findings = [finding for result in results for finding in result]
        findings.sort(key=lambda f: (f.first_seen or "", f.title, json.dumps(f.group, sort_keys=True)))
        return findings

    def run_task(self, rule: Any, query: str | None) -> list[Finding]:
        """Findings of one converted single-event rule query, or of one correlation (``query`` None)."""
        if query is not None:
            return self._single(rule, query)
        corr = rule
        if _linear(corr):
            # a correlation only referenced by others (generate: false) reports nothing itself,
            # as the backend's conversion returns no query for it
            if not getattr(corr, "_output", True):
                return []
            return self._group_findings(corr, LinearCorrelations(self.connection).run(corr))
        findings: list[Finding] = []
        view = self._subset_view(corr, array_value_field(corr))
        try:
            # The backend scans its whole table once per correlation: give it only the events
            # its base rules match (keeping the original rowids as event ids).
            corr_backend = OktaSqliteBackend(table=view, event_id_field=SUBSET_ROWID)
            corr_backend.init_processing_pipeline(PLAN_FORMAT)
            for compiled in self._convert(corr_backend, corr):
                findings.extend(self._correlation(corr, compiled["correlation_plan"]))
        finally:
            self.connection.execute(f"DROP VIEW IF EXISTS temp.{view}")
        return findings

    def _subset_view(self, corr: SigmaCorrelationRule, member: str | None) -> str:
        """A temp view of the events any base rule of ``corr`` matches (``rowid`` kept as okta_ir_rowid).

        ``member``: an array member a value_count counts, computed as a column holding the JSON
        array of its values (only for the matched events).
        """
        conditions: list[str] = []

        def leaves(rule: Any) -> None:
            if isinstance(rule, SigmaRule):
                for query in rule.get_conversion_result():
                    text = str(query)
                    conditions.append(text[len(_FINAL_PREFIX):] if text.startswith(_FINAL_PREFIX) else text)
                return
            for ref in rule.rules or []:
                if ref.rule is not None:
                    leaves(ref.rule)

        leaves(corr)
        where = " OR ".join(f"({c})" for c in conditions) or "0"
        view = "okta_ir_subset"
        self.connection.execute(f"DROP VIEW IF EXISTS temp.{view}")
        extra = f", {member_array_sql(member)} AS {quote_identifier(member)}" if member else ""
        self.connection.execute(
            f"CREATE TEMP VIEW {view} AS SELECT rowid AS {SUBSET_ROWID}, *{extra} FROM logs WHERE {where}"
        )
        return view

    def _check_columns(self, rules: SigmaCollection) -> None:
        missing = [c for c in columns_for(rule_fields(rules)) if c not in self.columns]
        if missing:
            raise RuleConversionError(
                f"the events were loaded without column(s) {', '.join(missing)}: create "
                "HuntEngine(rules=...) with every rule you will run, or without rules to load all fields"
            )

    @staticmethod
    def _convert(backend: OktaSqliteBackend, rule: Any) -> list[Any]:
        try:
            if isinstance(rule, SigmaCorrelationRule):
                return list(backend.convert_correlation_rule(rule, PLAN_FORMAT))
            return list(backend.convert_rule(rule))
        except UnknownFieldError:
            raise
        except (SigmaError, NotImplementedError, ValueError) as exc:
            raise RuleConversionError(f"rule {rule_name(rule)!r} cannot run on SQLite: {exc}") from None

    def _meta(self, rule: Any, kind: str) -> dict[str, Any]:
        return {
            "rule_id": str(rule.id or ""),
            "title": rule_name(rule),
            "level": rule.level.name.lower() if rule.level else "",
            "stage": stage(rule),
            "kind": kind,
        }

    def _single(self, rule: SigmaRule, query: str) -> list[Finding]:
        sql = (
            f"SELECT uuid, {ISO_UTC.format(col='published')}, published FROM ({query}) "
            "ORDER BY julianday(published), rowid"
        )
        sql = sql.replace("SELECT * FROM logs WHERE", "SELECT rowid, * FROM logs WHERE", 1)
        rows = self._query(rule, sql)
        if not rows:
            return []
        uuids = [str(r[0]) for r in rows if r[0] is not None]
        times = [r[1] or r[2] for r in rows if (r[1] or r[2])]
        return [
            Finding(**self._meta(rule, "event"), event_uuids=uuids, group={},
                    first_seen=min(times) if times else None, last_seen=max(times) if times else None,
                    count=len(rows))
        ]

    def _correlation(self, rule: SigmaCorrelationRule, plan: dict[str, Any]) -> list[Finding]:
        try:
            rows, _ = execute_plan(self.connection, plan, include_events=False)
        except (sqlite3.Error, ValueError, RuntimeError) as exc:
            raise RuleConversionError(f"rule {rule_name(rule)!r} failed on SQLite: {exc}") from None
        groups: dict[str, dict[str, Any]] = {}
        for row in rows:
            keys = row["group_keys"] or {}
            ids = row["event_ids"] or []
            key = json.dumps(keys, sort_keys=True)
            slot = groups.setdefault(key, {"group": keys, "rowids": set()})
            for identity in ids:
                slot["rowids"].add(int(str(identity).rsplit(":", 1)[1]))
        return self._group_findings(rule, list(groups.values()))

    def _group_findings(self, rule: SigmaCorrelationRule, groups: list[dict[str, Any]]) -> list[Finding]:
        findings = []
        for slot in groups:
            events = self._events_by_rowid(sorted(slot["rowids"]))
            times = [e[1] for e in events if e[1]]
            findings.append(
                Finding(**self._meta(rule, "correlation"),
                        event_uuids=[str(e[0]) for e in events if e[0] is not None],
                        group={k: "" if v is None else str(v) for k, v in slot["group"].items()},
                        first_seen=min(times) if times else None, last_seen=max(times) if times else None,
                        count=len(events))
            )
        return findings

    def _events_by_rowid(self, rowids: Sequence[int]) -> list[Any]:
        sql = (
            f"SELECT uuid, COALESCE({ISO_UTC.format(col='published')}, published) FROM logs "
            "WHERE rowid IN (SELECT value FROM json_each(?)) ORDER BY julianday(published), rowid"
        )
        return self.connection.execute(sql, (json.dumps(list(rowids)),)).fetchall()

    def _query(self, rule: Any, sql: str) -> list[Any]:
        try:
            return self.connection.execute(sql).fetchall()
        except sqlite3.Error as exc:
            raise RuleConversionError(f"rule {rule_name(rule)!r} failed on SQLite: {exc}") from None

    def column_sql(self, okta_path: str) -> str:
        """The quoted column for a scalar Okta path (for the analyst views)."""
        return quote_identifier(field_by_okta_path(okta_path).okta_path)
