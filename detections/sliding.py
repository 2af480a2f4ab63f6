"""Linear-time sliding windows for ``value_count`` and ``event_count`` (the SQLite backend's plan is
quadratic in window density).

Same meaning as pySigma-sqlite's correlation plan: a window ends at every matched event's time
(events sharing that time included) and spans ``timespan`` seconds back, both ends inclusive; the
metric is the number of distinct non-null values (case-insensitive) for ``value_count``, the number
of events for ``event_count``; group keys are lower-cased; a qualifying window contributes every
matched event inside it as evidence. Per group, the evidence of all qualifying windows is merged.

A ``temporal`` correlation is a ``value_count`` of the referenced rule's slot number over the
matches of its rules (see detections.linear_correlations).
"""

from __future__ import annotations

import operator
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from typing import Any, Callable

__all__ = ["OPERATORS", "Window", "norm_value", "qualifying_windows", "value_count_windows"]

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "lt": operator.lt, "lte": operator.le, "gt": operator.gt, "gte": operator.ge,
    "eq": operator.eq, "neq": operator.ne,
}

Row = tuple[Any, float, tuple[Any, ...], list[Any]]  # (event id, ts, group key, values)
Window = tuple[tuple[Any, ...], float, int, int]  # (group key, end ts, first seq, last seq)


def norm_value(value: Any) -> Any:
    """A value as the metrics compare it: text without case."""
    return value.lower() if isinstance(value, str) else value


def _peers(rows: Iterator[Row]) -> Iterator[list[Row]]:
    """Consecutive rows sharing group and timestamp."""
    batch: list[Row] = []
    for row in rows:
        if batch and (row[2] != batch[0][2] or row[1] != batch[0][1]):
            yield batch
            batch = []
        batch.append(row)
    if batch:
        yield batch


def _scan(
    rows: Iterable[Row], span: float, op: str, threshold: float, count_events: bool
) -> Iterator[tuple[Any, float, deque[tuple[int, Row]]]]:
    """Yield (group, end, live window) for every qualifying window; seq numbers count rows from 0.

    The window (a deque of (seq, row)) is only valid until the next item is requested.
    """
    compare = OPERATORS[op]
    window: deque[tuple[int, Row]] = deque()  # (sequence number, row): contiguous, increasing
    counts: Counter[Any] = Counter()
    group: Any = object()
    seq = -1
    for batch in _peers(iter(rows)):
        if batch[0][2] != group:
            group = batch[0][2]
            window.clear()
            counts.clear()
        end = batch[0][1]
        for row in batch:
            seq += 1
            window.append((seq, row))
            if not count_events:
                counts.update(norm_value(v) for v in row[3] if v is not None)
        while window and window[0][1][1] < end - span:
            _, old = window.popleft()
            if count_events:
                continue
            for value in old[3]:
                if value is not None:
                    key = norm_value(value)
                    counts[key] -= 1
                    if counts[key] <= 0:
                        del counts[key]
        if compare(len(window) if count_events else len(counts), threshold):
            yield group, end, window


def value_count_windows(
    rows: Iterable[Row], span: float, op: str, threshold: float, count_events: bool = False
) -> dict[tuple[Any, ...], list[Any]]:
    """Group key -> event ids of every qualifying window, for rows sorted by (group, ts).

    ``values`` of a row is a list (an array member contributes each element; a scalar one value).
    ``count_events``: the metric is the number of events in the window (``event_count``).
    """
    result: dict[tuple[Any, ...], list[Any]] = {}
    group: Any = object()
    covered = -1  # highest sequence number already in the group's evidence
    for key, _, window in _scan(rows, span, op, threshold, count_events):
        if key != group:
            group = key
            covered = -1
        fresh = []
        for number, row in reversed(window):
            if number <= covered:
                break
            fresh.append(row[0])
        covered = window[-1][0]
        result.setdefault(group, []).extend(reversed(fresh))
    return result


def qualifying_windows(
    rows: Iterable[Row], span: float, op: str, threshold: float, count_events: bool = False
) -> Iterator[Window]:
    """Every qualifying window as (group, end ts, first seq, last seq); seq numbers the rows from 0."""
    for group, end, window in _scan(rows, span, op, threshold, count_events):
        yield group, end, window[0][0], window[-1][0]
