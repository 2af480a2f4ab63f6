"""The few SPL result shapes the dashboards use, computed in Python over Okta events.

Each function returns a Dashboard Studio JSON-columns snapshot,
``{"fields": [{"name": ..}], "columns": [[..]]}``: the shape a search data source hands to a visualization.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Callable, Optional

Event = Mapping[str, Any]
Snapshot = dict[str, Any]

# timechart's automatic spans, smallest first; the first one giving at most MAX_BUCKETS buckets wins
SPANS = (60, 300, 600, 1800, 3600, 4 * 3600, 86400)
MAX_BUCKETS = 60


def path(event: Event, dotted: str) -> Any:
    """Value at an Okta JSON path (``client.geographicalContext.country``); ``target{}.x`` gives a list."""
    if "{}." in dotted:
        head, tail = dotted.split("{}.", 1)
        items = path(event, head)
        if not isinstance(items, list):
            return []
        values = [path(item, tail) for item in items if isinstance(item, Mapping)]
        return [v for v in values if v not in (None, "")]
    node: Any = event
    for part in dotted.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def event_time(event: Event) -> dt.datetime:
    """``published`` as an aware UTC datetime."""
    text = str(event["published"]).replace("Z", "+00:00")
    stamp = dt.datetime.fromisoformat(text)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.timezone.utc)
    return stamp.astimezone(dt.timezone.utc)


def iso(stamp: dt.datetime) -> str:
    """Splunk's ``_time`` rendering in JSON results."""
    return stamp.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000+00:00")


def ctime(stamp: dt.datetime) -> str:
    """What ``convert ctime(x)`` shows (Splunk's default ``%m/%d/%Y %H:%M:%S``)."""
    return stamp.astimezone(dt.timezone.utc).strftime("%m/%d/%Y %H:%M:%S")


def snapshot(fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> Snapshot:
    """Rows -> JSON-columns snapshot."""
    materialised = [list(row) for row in rows]
    columns = [[row[i] for row in materialised] for i in range(len(fields))]
    return {"fields": [{"name": name} for name in fields], "columns": columns}


def span_for(times: Sequence[dt.datetime]) -> int:
    """The bucket span in seconds timechart would pick for these times."""
    if not times:
        return SPANS[0]
    width = (max(times) - min(times)).total_seconds()
    for span in SPANS:
        if width / span < MAX_BUCKETS:
            return span
    return SPANS[-1]


def timechart(
    events: Sequence[Event],
    split: Optional[Callable[[Event], Any]] = None,
    limit: int = 10,
    useother: bool = True,
) -> Snapshot:
    """``timechart count [by split]``: one row per bucket, one column per series (top ``limit`` + OTHER)."""
    times = [event_time(e) for e in events]
    span = span_for(times)
    buckets: dict[int, Counter] = defaultdict(Counter)
    totals: Counter = Counter()
    for event, stamp in zip(events, times):
        key = int(stamp.timestamp()) // span * span
        series = "count" if split is None else split(event)
        if series in (None, "", []):
            series = "NULL"
        buckets[key][str(series)] += 1
        totals[str(series)] += 1
    names = [name for name, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]
    kept = names[:limit]
    other = names[limit:] if useother else []
    fields = ["_time", *sorted(kept)] + (["OTHER"] if other else [])
    rows: list[list[Any]] = []
    if buckets:
        first, last = min(buckets), max(buckets)
        for key in range(first, last + span, span):
            counts = buckets.get(key, Counter())
            row: list[Any] = [iso(dt.datetime.fromtimestamp(key, dt.timezone.utc))]
            row += [counts.get(name, 0) for name in sorted(kept)]
            if other:
                row.append(sum(counts.get(name, 0) for name in other))
            rows.append(row)
    return snapshot(fields, rows)


def count_by(
    events: Iterable[Event], key: Callable[[Event], Any], head: Optional[int] = None, label: str = "value"
) -> Snapshot:
    """``stats count by key | sort - count | head N``; list-valued keys count once per value (mvexpand)."""
    counts: Counter = Counter()
    for event in events:
        value = key(event)
        for item in value if isinstance(value, list) else [value]:
            if item not in (None, ""):
                counts[str(item)] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return snapshot([label, "count"], ranked[:head] if head else ranked)


def first_last(stamps: Iterable[dt.datetime]) -> tuple[dt.datetime, dt.datetime]:
    """min and max of some times."""
    ordered = sorted(stamps)
    return ordered[0], ordered[-1]
