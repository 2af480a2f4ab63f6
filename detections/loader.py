"""Streaming load of Okta System Log JSON lines into the engine's SQLite table ``logs``.

Speed comes from doing the per-field work in C: raw lines go into a staging table in batches, then
one ``INSERT INTO logs SELECT json_extract(raw, '$.a.b'), ...`` per batch extracts only the
columns asked for. Arrays of objects (``target``, ``request.ipChain``) are kept as JSON arrays in
the column of their root. Booleans are stored as 'true'/'false'; text columns are ``COLLATE NOCASE``.

Messy input is survived, not trusted: lines that are not JSON objects are skipped and reported
with their line numbers; Panther-style lower-case top-level keys (``eventtype``) are re-cased.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from detections.fields import ARRAY_ROOTS, FIELDS, field_by_okta_path
from detections.sqlite_backend import quote_identifier

__all__ = ["BATCH_SIZE", "LoadReport", "Loader", "columns_for"]

BATCH_SIZE = 20_000
_MAX_REPORTED_LINES = 50

# Top-level LogEvent keys, by their lower-case spelling (Panther normalises them to lower case).
_TOP_LEVEL = [
    "uuid", "published", "eventType", "version", "severity", "legacyEventType", "displayMessage", "actor",
    "client", "outcome", "target", "transaction", "debugContext", "authenticationContext", "securityContext",
    "request",
]
_RECASE = {k.lower(): k for k in _TOP_LEVEL if k.lower() != k}
# Every Panther spelling contains 'eventtype"', 'context"' or '"displaymessage"' (camelCase never
# does): Loader._prepare tests them inline (three `in` tests cost half what any() over a tuple does).


@dataclass
class LoadReport:
    """What a load did: events stored, lines skipped (with the first line numbers), blank lines."""

    loaded: int = 0
    skipped: int = 0
    skipped_lines: list[int] = field(default_factory=list)
    blank: int = 0

    def add_skipped(self, line_numbers: Sequence[int]) -> None:
        self.skipped += len(line_numbers)
        room = _MAX_REPORTED_LINES - len(self.skipped_lines)
        if room > 0:
            self.skipped_lines.extend(sorted(line_numbers)[:room])

    def summary(self) -> str:
        """One line: '1000 events loaded, 2 bad lines skipped (lines 3, 9)'."""
        text = f"{self.loaded} events loaded"
        if self.skipped:
            shown = ", ".join(map(str, self.skipped_lines))
            more = ", ..." if self.skipped > len(self.skipped_lines) else ""
            text += f", {self.skipped} bad lines skipped (line {shown}{more})"
        return text


def columns_for(paths: Iterable[str]) -> list[str]:
    """Physical columns for Okta paths: scalar paths as is, array members as their root; map order."""
    wanted = set()
    for path in paths:
        spec = field_by_okta_path(path)
        wanted.add(spec.array_root or spec.okta_path)
    ordered = [s.okta_path for s in FIELDS if s.array_root is None and s.okta_path in wanted]
    return ordered + [r for r in ARRAY_ROOTS if r in wanted]


def _json_path(okta_path: str) -> str:
    return "$." + ".".join(f'"{part}"' for part in okta_path.split("."))


def _extract_expression(column: str) -> str:
    path = _json_path(column)
    if column in ARRAY_ROOTS:
        # only a JSON array is kept (anything else is NULL), decided on the parse already made:
        # an array, or a string holding one (what a separate json_valid pass over the column kept)
        value = f"json_extract(raw, '{path}')"
        return (
            f"CASE json_type(raw, '{path}') WHEN 'array' THEN {value} "
            f"WHEN 'text' THEN CASE WHEN substr({value}, 1, 1) = '[' AND json_valid({value}) "
            f"THEN {value} END END"
        )
    if field_by_okta_path(column).kind == "bool":
        return (
            f"CASE json_type(raw, '{path}') WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' "
            f"ELSE json_extract(raw, '{path}') END"
        )
    return f"json_extract(raw, '{path}')"


def _column_type(column: str) -> str:
    if column in ARRAY_ROOTS:
        return "TEXT"
    kind = field_by_okta_path(column).kind
    # numbers keep their type (no affinity) so comparisons are numeric; text compares without case
    return "COLLATE NOCASE" if kind in ("int", "num") else "TEXT COLLATE NOCASE"


def _recase(line: str) -> str | None:
    """Re-case Panther's lower-case top-level keys; None when the line is not a JSON object."""
    try:
        event = json.loads(line)
    except ValueError:
        return None
    if not isinstance(event, dict):
        return None
    return json.dumps({_RECASE.get(k, k): v for k, v in event.items()})


class Loader:
    """Creates ``logs`` with the given columns on a connection and loads JSON lines into it."""

    def __init__(self, connection: sqlite3.Connection, columns: Sequence[str], index: bool = True) -> None:
        """Create ``logs`` (and, with ``index``, its ``eventType`` index) unless they exist."""
        self.connection = connection
        self.columns = list(columns)
        cols = ", ".join(f"{quote_identifier(c)} {_column_type(c)}" for c in self.columns)
        connection.execute(f"CREATE TABLE IF NOT EXISTS logs ({cols})")
        if index and "eventType" in self.columns:
            connection.execute("CREATE INDEX IF NOT EXISTS logs_eventtype ON logs (eventType)")
        connection.execute("CREATE TEMP TABLE IF NOT EXISTS staging (lineno INTEGER, raw TEXT)")
        targets = ", ".join(quote_identifier(c) for c in self.columns)
        exprs = ", ".join(_extract_expression(c) for c in self.columns)
        self._insert = (
            f"INSERT INTO logs ({targets}) SELECT {exprs} FROM temp.staging "
            "WHERE raw LIKE '{%' AND json_valid(raw)"
        )

    def load_lines(self, lines: Iterable[str], report: LoadReport | None = None) -> LoadReport:
        """Load JSON lines (numbered from 1) in batches; returns the (updated) report."""
        report = report or LoadReport()
        numbered = self._prepare(enumerate(lines, start=1), report)
        while True:
            batch = list(itertools.islice(numbered, BATCH_SIZE))
            if not batch:
                break
            self._load_batch(batch, report)
        return report

    def _prepare(self, numbered: Iterator[tuple[int, str]], report: LoadReport) -> Iterator[tuple[int, str]]:
        for lineno, line in numbered:
            text = line.strip()
            if not text:
                report.blank += 1
                continue
            if 'eventtype"' in text or 'context"' in text or '"displaymessage"' in text:
                text = _recase(text) or text
            yield lineno, text

    def _load_batch(self, batch: list[tuple[int, str]], report: LoadReport) -> None:
        conn = self.connection
        with conn:
            conn.executemany("INSERT INTO temp.staging (lineno, raw) VALUES (?, ?)", batch)
            inserted = conn.execute(self._insert).rowcount
            if inserted < len(batch):
                bad = [row[0] for row in conn.execute(
                    "SELECT lineno FROM temp.staging WHERE NOT (raw LIKE '{%' AND json_valid(raw))"
                )]
                report.add_skipped(bad)
            conn.execute("DELETE FROM temp.staging")
        report.loaded += inserted


def event_lines(events: Iterable[Any]) -> Iterator[str]:
    """JSON lines from dicts (or already-serialised strings/bytes)."""
    for event in events:
        if isinstance(event, bytes):
            yield event.decode("utf-8", errors="replace")
        elif isinstance(event, str):
            yield event
        else:
            yield json.dumps(event, default=str)


def all_columns() -> list[str]:
    """Every physical column of the field map."""
    return columns_for([s.okta_path for s in FIELDS])
