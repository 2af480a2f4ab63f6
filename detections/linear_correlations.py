"""Correlations evaluated in linear time over sorted rows, with the SQLite backend's meaning.

pySigma-sqlite's materialized plan compares every window with every event of its group (quadratic
in window density: seconds per rule on a million events). Here the matched events of each base rule
are read once, sorted by (group, time), and swept by detections.sliding:

* ``event_count`` / ``value_count`` over base rules: one sweep;
* ``temporal`` (unordered, plain condition) over base rules and such event_count / value_count
  correlations grouped by the same fields: each referenced rule is a *slot*; a base event is a match
  at its time, a qualifying window of a child correlation is a match at the window's end carrying
  the window's events as evidence (as the plan's child alerts do); the metric is the number of
  distinct slots matched in the window, i.e. a ``value_count`` of the slot number.

Each function returns ``[{"group": {field: key}, "rowids": set of logs rowids}]``, one entry per
group with at least one qualifying window, evidence merged over the group's windows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from sigma.correlations import SigmaCorrelationCondition, SigmaCorrelationRule, SigmaCorrelationType
from sigma.rule import SigmaRule

from detections.errors import RuleConversionError
from detections.fields import FieldSpec, field_by_okta_path
from detections.rules import rule_name
from detections.sliding import OPERATORS, Row, norm_value, qualifying_windows, value_count_windows
from detections.sqlite_backend import quote_identifier

__all__ = ["SWEPT_TYPES", "LinearCorrelations", "is_sweepable", "is_temporal_sweepable"]

#: Correlation types one sweep evaluates (over base rules).
SWEPT_TYPES = (SigmaCorrelationType.EVENT_COUNT, SigmaCorrelationType.VALUE_COUNT)
_FINAL_PREFIX = "SELECT * FROM logs WHERE "
# the backend's timestamp: Unix seconds rounded to the millisecond
_TS = "ROUND((julianday(published) - 2440587.5) * 86400000) / 1000.0"

_PARSE_CACHE = 20_000  # distinct array texts kept parsed (bounded memory)

Groups = list[dict[str, Any]]


def is_sweepable(rule: Any) -> bool:
    """An event_count / value_count over base rules only, with a plain condition and no aliases."""
    if not isinstance(rule, SigmaCorrelationRule) or rule.type not in SWEPT_TYPES or rule.aliases:
        return False
    condition = rule.condition
    if not isinstance(condition, SigmaCorrelationCondition):
        return False
    if rule.type == SigmaCorrelationType.VALUE_COUNT and not isinstance(condition.fieldref, str):
        return False
    return all(isinstance(ref.rule, SigmaRule) for ref in rule.rules or [])


def is_temporal_sweepable(rule: Any, child_ok: Any = is_sweepable) -> bool:
    """An unordered temporal with a plain condition whose references are base rules or ``child_ok``
    correlations grouped by exactly the temporal's fields."""
    if not isinstance(rule, SigmaCorrelationRule) or rule.type != SigmaCorrelationType.TEMPORAL:
        return False
    if rule.aliases or not isinstance(rule.condition, SigmaCorrelationCondition):
        return False
    group = list(rule.group_by or [])
    for ref in rule.rules or []:
        child = ref.rule
        if isinstance(child, SigmaRule):
            continue
        if not child_ok(child) or list(child.group_by or []) != group:
            return False
    return True


def _where(rule: SigmaRule) -> str:
    """The WHERE clause of a converted base rule (its queries OR-ed)."""
    conditions = []
    for query in rule.get_conversion_result():
        text = str(query)
        conditions.append(text[len(_FINAL_PREFIX):] if text.startswith(_FINAL_PREFIX) else text)
    return " OR ".join(f"({c})" for c in conditions) or "0"


def _key(column: str) -> str:
    quoted = quote_identifier(column)
    return f"CASE WHEN typeof({quoted}) = 'text' THEN lower({quoted}) ELSE {quoted} END"


def _member_values(array_json: Any, element: list[str]) -> list[Any]:
    """The values of one member (``element`` path) over the elements of a JSON array of objects."""
    if not array_json:
        return []
    values = []
    for item in json.loads(array_json):
        for key in element:
            item = item.get(key) if isinstance(item, dict) else None
        values.append(item)
    return values


def _groups(rows: Iterator[Row]) -> Iterator[list[Row]]:
    """Consecutive rows sharing a group key."""
    batch: list[Row] = []
    for row in rows:
        if batch and row[2] != batch[0][2]:
            yield batch
            batch = []
        batch.append(row)
    if batch:
        yield batch


def _sort_key(row: tuple[Any, float, tuple[Any, ...], Any]) -> tuple[Any, ...]:
    """Rows of mixed sources in (group, time) order; numbers and text never compared directly."""
    return (*((0, v) if isinstance(v, (int, float)) else (1, str(v)) for v in row[2]), row[1])


class LinearCorrelations:
    """Evaluates sweepable correlations on the ``logs`` table of one connection."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def run(self, rule: SigmaCorrelationRule) -> Groups:
        """Groups and evidence rowids of a rule that is_sweepable or is_temporal_sweepable accepts."""
        try:
            if rule.type == SigmaCorrelationType.TEMPORAL:
                return self._temporal(rule)
            names = self._group_names(rule)
            windows = value_count_windows(*self._sweep_args(rule))
            return [{"group": dict(zip(names, key)), "rowids": set(ids)} for key, ids in windows.items()]
        except sqlite3.Error as exc:
            raise RuleConversionError(f"rule {rule_name(rule)!r} failed on SQLite: {exc}") from None

    @staticmethod
    def _group_names(rule: SigmaCorrelationRule) -> list[str]:
        return [field_by_okta_path(g, rule_name(rule)).okta_path for g in rule.group_by or []]

    def _sweep_args(self, rule: SigmaCorrelationRule) -> tuple[Iterator[Row], float, str, float, bool]:
        condition = rule.condition
        assert isinstance(condition, SigmaCorrelationCondition)
        op = condition.op.name.lower()
        count_events = rule.type == SigmaCorrelationType.EVENT_COUNT
        value = None if count_events else field_by_okta_path(str(condition.fieldref), rule_name(rule))
        bases = [ref.rule for ref in rule.rules or [] if isinstance(ref.rule, SigmaRule)]
        rows = self._rows(bases, self._group_names(rule), value, op, condition.count)
        return rows, float(rule.timespan.seconds), op, condition.count, count_events

    def _rows(
        self, bases: Sequence[SigmaRule], names: list[str], value: FieldSpec | None, op: str, count: float,
        only: set[tuple[Any, ...]] | None = None,
    ) -> Iterator[Row]:
        """(rowid, ts, group key, values) of the events any of ``bases`` matches, by (group, ts).

        For a gt/gte threshold, groups whose metric over ALL time cannot reach it are left out: a
        window never holds more events or distinct values than its whole group, and most groups
        (sessions that only ever use one IP) are spared the sweep. ``only``: the group keys wanted
        (the others are neither read nor sorted).
        """
        if only is not None and names:
            yield from self._rows_of_groups(bases, names, only)
            return
        keys = [_key(n) for n in names]
        where = " OR ".join(f"({_where(b)})" for b in bases) or "0"
        not_null = "".join(f" AND {quote_identifier(n)} IS NOT NULL" for n in names)
        value_column = "NULL"
        element: list[str] = []
        if value is not None:
            value_column = quote_identifier(value.array_root or value.okta_path)
            element = (value.element_path or "").split(".")
        array = value is not None and value.is_array
        reach = keys and op in ("gt", "gte")
        sql = (
            f"SELECT rowid, {_TS} AS okta_ir_ts, {value_column}" + "".join(f", {k}" for k in keys)
            + f" FROM logs WHERE ({where}) AND okta_ir_ts IS NOT NULL{not_null}"
            + (self._groups_reaching(where, keys, value, op, count) if reach and not array else "")
            + " ORDER BY " + ", ".join([*[str(i + 4) for i in range(len(keys))], "2"])
        )
        parsed: dict[str, list[Any]] = {}  # arrays repeat (same app, same user): parse each once

        def values_of(text: Any) -> list[Any]:
            if not array:
                return [text]
            if not isinstance(text, str):
                return _member_values(text, element)
            found = parsed.get(text)
            if found is None:
                if len(parsed) > _PARSE_CACHE:
                    parsed.clear()
                found = parsed[text] = _member_values(text, element)
            return found

        rows = (
            (row[0], row[1], tuple(row[3:]), values_of(row[2])) for row in self.connection.execute(sql)
        )
        if not (reach and array):
            yield from rows
            return
        # distinct array elements: counted here, on arrays parsed once, not by json_each in SQL
        compare = OPERATORS[op]
        for group in _groups(rows):
            if compare(len({norm_value(v) for row in group for v in row[3] if v is not None}), count):
                yield from group

    def _rows_of_groups(
        self, bases: Sequence[SigmaRule], names: list[str], only: set[tuple[Any, ...]]
    ) -> Iterator[Row]:
        """Rows of :meth:`_rows` (no value, no threshold) for the group keys ``only``."""
        if not only:
            return
        keys = [_key(n) for n in names]
        where = " OR ".join(f"({_where(b)})" for b in bases) or "0"
        not_null = "".join(f" AND {quote_identifier(n)} IS NOT NULL" for n in names)
        columns = ", ".join(f"k{i}" for i in range(len(keys)))
        self.connection.execute("DROP TABLE IF EXISTS temp.okta_ir_only")
        self.connection.execute(f"CREATE TEMP TABLE okta_ir_only ({columns})")
        try:
            self.connection.executemany(
                f"INSERT INTO temp.okta_ir_only VALUES ({', '.join('?' * len(keys))})", sorted(only, key=repr)
            )
            rows = self.connection.execute(
                f"SELECT rowid, {_TS} AS okta_ir_ts" + "".join(f", {k}" for k in keys)
                + f" FROM logs WHERE ({where}) AND okta_ir_ts IS NOT NULL{not_null}"
                + f" AND ({', '.join(keys)}) IN (SELECT {columns} FROM temp.okta_ir_only)"
                + " ORDER BY " + ", ".join([*[str(i + 3) for i in range(len(keys))], "2"])
            ).fetchall()
        finally:
            self.connection.execute("DROP TABLE IF EXISTS temp.okta_ir_only")
        for row in rows:
            yield row[0], row[1], tuple(row[2:]), [None]

    @staticmethod
    def _groups_reaching(where: str, keys: list[str], value: FieldSpec | None, op: str, count: float) -> str:
        """SQL keeping the groups whose events or distinct scalar values over ALL time reach it."""
        key_list = ", ".join(keys)
        metric = "COUNT(*)" if value is None else f"COUNT(DISTINCT {_key(value.okta_path)})"
        compare = ">=" if op == "gte" else ">"
        return (
            f" AND ({key_list}) IN (SELECT {key_list} FROM logs WHERE {where} GROUP BY {key_list} "
            f"HAVING {metric} {compare} {count})"
        )

    def _temporal(self, rule: SigmaCorrelationRule) -> Groups:
        condition = rule.condition
        assert isinstance(condition, SigmaCorrelationCondition)
        names = self._group_names(rule)
        refs = list(rule.rules or [])
        op = condition.op.name.lower()
        # when every slot must match, only groups seen in every slot can qualify
        every = (op == "gte" and condition.count >= len(refs)) or (
            op == "gt" and condition.count >= len(refs) - 1
        )
        allowed: set[tuple[Any, ...]] | None = None
        matches: list[tuple[int, float, tuple[Any, ...], list[Any]]] = []
        evidence: list[Any] = []  # per match: a rowid, or (child number, first seq, last seq)
        child_ids: list[list[int]] = []  # per child correlation: its rows' rowids by seq
        # children first: their matches are few, and narrow the groups the base rules must read
        order = sorted(range(len(refs)), key=lambda i: isinstance(refs[i].rule, SigmaRule))
        for slot in order:
            child = refs[slot].rule
            found: list[tuple[int, float, tuple[Any, ...], list[Any]]] = []
            if isinstance(child, SigmaRule):
                for rowid, ts, key, _ in self._rows([child], names, None, "", 0, allowed):
                    if allowed is None or key in allowed:
                        found.append((len(evidence), ts, key, [slot]))
                        evidence.append(rowid)
            else:
                rows, span, child_op, count, count_events = self._sweep_args(child)
                ids: list[int] = []
                child_ids.append(ids)

                def kept(source: Iterator[Row], sink: list[int] = ids) -> Iterator[Row]:
                    for row in source:
                        sink.append(row[0])
                        yield row

                windows = qualifying_windows(kept(rows), span, child_op, count, count_events)
                for key, end, first, last in windows:
                    if allowed is None or key in allowed:
                        found.append((len(evidence), end, key, [slot]))
                        evidence.append((len(child_ids) - 1, first, last))
            if every:
                keys = {m[2] for m in found}
                allowed = keys if allowed is None else allowed & keys
            matches.extend(found)
        if allowed is not None:
            matches = [m for m in matches if m[2] in allowed]
        matches.sort(key=_sort_key)
        merged = value_count_windows(matches, float(rule.timespan.seconds), op, condition.count)
        return [
            {"group": dict(zip(names, key)), "rowids": self._evidence(numbers, evidence, child_ids)}
            for key, numbers in merged.items()
        ]

    @staticmethod
    def _evidence(numbers: list[int], evidence: list[Any], child_ids: list[list[int]]) -> set[int]:
        """Rowids of the matches ``numbers``: base events themselves, child windows all their events."""
        rowids: set[int] = set()
        spans: dict[int, list[tuple[int, int]]] = {}
        for number in numbers:
            item = evidence[number]
            if isinstance(item, tuple):
                spans.setdefault(item[0], []).append((item[1], item[2]))
            else:
                rowids.add(item)
        for child, ranges in spans.items():
            ids = child_ids[child]
            reach = -1  # ranges overlap heavily: add each seq once
            for first, last in sorted(ranges):
                rowids.update(ids[max(first, reach + 1): last + 1])
                reach = max(reach, last)
        return rowids
