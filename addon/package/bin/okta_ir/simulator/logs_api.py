"""``GET /api/v1/logs``: polling mode (persistence order, endless ``next``), bounded mode (published order).

Every page is computed from the store on demand; the cursor (``after``) carries the position.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional
from urllib.parse import urlencode

from okta_ir.simulator.config import parse_iso8601
from okta_ir.simulator.cursor import CursorCodec
from okta_ir.simulator.scim import Filter, FilterError, SearchCriteriaError, parse_filter
from okta_ir.simulator.store import LATE_MAX_MS, LogStore

__all__ = ["SCAN_BUDGET", "LogsPage", "LogsQuery", "LogsQueryError", "fetch_page", "parse_logs_query"]

SCAN_BUDGET = 50_000  # events examined per request before a short page is returned
_DAY_MS = 86_400_000
_SLICE_MS = LATE_MAX_MS


class LogsQueryError(Exception):
    """A rejected query: Okta error code plus the cause shown in errorCauses."""

    def __init__(self, code: str, cause: str) -> None:
        super().__init__(cause)
        self.code = code
        self.cause = cause


@dataclass
class LogsQuery:
    """A validated System Log query."""

    bounded: bool
    descending: bool
    since_ms: int
    until_ms: int
    position: Optional[dict[str, Any]]
    limit: int
    filter: Optional[Filter]
    terms: tuple[str, ...]
    params: list[tuple[str, str]]  # the params a next link keeps


@dataclass
class LogsPage:
    """One page: the events' JSON texts and the cursor of the next page (None = last page)."""

    events: list[str]
    next_cursor: Optional[str]

    def body(self) -> bytes:
        """The JSON array body."""
        return ("[" + ",".join(self.events) + "]").encode()


def _one(params: dict[str, list[str]], name: str) -> Optional[str]:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise LogsQueryError("E0000053", f"{name}: given more than once")
    return values[0]


def _time(params: dict[str, list[str]], name: str) -> Optional[int]:
    raw = _one(params, name)
    if raw is None:
        return None
    try:
        return int(parse_iso8601(raw).timestamp() * 1000)
    except (ValueError, OverflowError):
        raise LogsQueryError("E0000053", f"{name}: not an ISO 8601 timestamp") from None


def parse_logs_query(params: dict[str, list[str]], codec: CursorCodec, now_ms: int) -> LogsQuery:
    """Validate the query parameters like Okta does (400 E0000053 / E0000031 on bad input)."""
    raw_limit = _one(params, "limit")
    limit = 100
    if raw_limit is not None:
        try:
            limit = int(raw_limit)
        except ValueError:
            raise LogsQueryError("E0000053", "limit: must be an integer between 0 and 1000") from None
        if not 0 <= limit <= 1000:
            raise LogsQueryError("E0000053", "limit: must be an integer between 0 and 1000")
    sort = (_one(params, "sortOrder") or "ASCENDING").upper()
    if sort not in ("ASCENDING", "DESCENDING"):
        raise LogsQueryError("E0000053", "sortOrder: must be ASCENDING or DESCENDING")
    since = _time(params, "since")
    until = _time(params, "until")
    after = _one(params, "after")
    if after is not None and since is not None:
        raise LogsQueryError("E0000053", "since and after cannot be used together")
    if since is not None and since < now_ms - 180 * _DAY_MS:
        raise LogsQueryError("E0000053", "since: must be within the last 180 days")
    if since is not None and until is not None and since > until:
        raise LogsQueryError("E0000053", "since: must not be after until")
    flt: Optional[Filter] = None
    raw_filter = _one(params, "filter")
    if raw_filter is not None:
        try:
            flt = parse_filter(raw_filter)
        except SearchCriteriaError as exc:
            raise LogsQueryError("E0000031", str(exc)) from None
        except FilterError as exc:
            raise LogsQueryError("E0000053", f"filter: {exc}") from None
    terms: tuple[str, ...] = ()
    raw_q = _one(params, "q")
    if raw_q is not None:
        words = raw_q.split()
        if len(words) > 10 or any(len(w) > 40 for w in words):
            raise LogsQueryError("E0000053", "q: at most 10 keywords of at most 40 characters")
        terms = tuple(w.lower() for w in words)
    position: Optional[dict[str, Any]] = None
    if after is not None:
        position = codec.decode(after)
        if position is None or position.get("m") not in ("p", "b"):
            raise LogsQueryError("E0000053", "after: not a valid cursor; follow the next link as given")
    descending = sort == "DESCENDING"
    if position is not None:
        bounded = position["m"] == "b"
        if bounded:
            since_ms, until_ms, descending = int(position["lo"]), int(position["hi"]), bool(position["d"])
        else:
            since_ms, until_ms = 0, now_ms
    else:
        bounded = until is not None or descending
        until_ms = until if until is not None else now_ms
        since_ms = (
            since if since is not None else (until_ms - 7 * _DAY_MS if bounded else now_ms - 7 * _DAY_MS)
        )
    kept = [(k, v) for k in ("limit", "filter", "q", "sortOrder", "until") for v in params.get(k, [])[:1]]
    return LogsQuery(bounded, descending, since_ms, until_ms, position, limit, flt, terms, kept)


def _text_values(obj: Any, out: list[str]) -> None:
    if isinstance(obj, dict):
        for v in obj.values():
            _text_values(v, out)
    elif isinstance(obj, list):
        for v in obj:
            _text_values(v, out)
    elif obj is not None:
        out.append(str(obj))


def _matcher(query: LogsQuery) -> Optional[Callable[[str], bool]]:
    if query.filter is None and not query.terms:
        return None
    flt, terms = query.filter, query.terms

    def matches(text: str) -> bool:
        event = json.loads(text)
        if flt is not None and not flt.matches(event):
            return False
        if terms:
            values: list[str] = []
            _text_values(event, values)
            hay = "\n".join(values).lower()
            return all(t in hay for t in terms)
        return True

    return matches


def _poll(store: LogStore, query: LogsQuery, codec: CursorCodec) -> LogsPage:
    i = int(query.position["p"]) if query.position else store.index_at(query.since_ms)
    total = store.total()
    match = _matcher(query)
    out: list[str] = []
    scanned = 0
    while len(out) < query.limit and i < total and scanned < SCAN_BUDGET:
        text = store.render(i)
        i += 1
        scanned += 1
        if match is None or match(text):
            out.append(text)
    return LogsPage(out, codec.encode({"m": "p", "p": i}))


def _slice(store: LogStore, lo_ms: int, hi_ms: int) -> list[tuple[int, int]]:
    """(published, index) of events published in [lo_ms, hi_ms), sorted."""
    a = store.index_at(lo_ms)
    b = store.index_at(hi_ms)
    late = store.late_in(a, store.index_at(hi_ms + LATE_MAX_MS))
    entries = [(store.persist_ms(i), i) for i in range(a, b) if i not in late]
    for idx, _delay in late.items():
        pub = store.published_ms(idx)
        if lo_ms <= pub < hi_ms:
            entries.append((pub, idx))
    entries.sort()
    return entries


def _bounded_entries(store: LogStore, query: LogsQuery) -> Iterator[tuple[int, int]]:
    lo, hi = query.since_ms, query.until_ms
    cur: Optional[Sequence[int]] = query.position.get("c") if query.position else None
    last_ms = store.persist_ms(store.total() - 1) if store.total() else lo
    if not query.descending:
        t = max(lo, store.start_ms - LATE_MAX_MS) if cur is None else max(lo, int(cur[0]))
        t -= (t - lo) % _SLICE_MS  # slices stay on the grid that starts at `since`
        end = min(hi, last_ms + 1)
        while t < end:
            for pub, idx in _slice(store, t, min(t + _SLICE_MS, hi)):
                if cur is not None and (pub, idx) <= (int(cur[0]), int(cur[1])):
                    continue
                yield pub, idx
            t += _SLICE_MS
    else:
        t = min(hi, last_ms + 1) if cur is None else min(hi, int(cur[0]) + 1)
        while t > lo:
            s = max(lo, t - _SLICE_MS)
            for pub, idx in reversed(_slice(store, s, t)):
                if cur is not None and (pub, idx) >= (int(cur[0]), int(cur[1])):
                    continue
                yield pub, idx
            t = s


def _bounded(store: LogStore, query: LogsQuery, codec: CursorCodec) -> LogsPage:
    match = _matcher(query)
    out: list[str] = []
    scanned = 0
    last: Optional[tuple[int, int]] = None
    exhausted = True
    if query.limit == 0:
        exhausted = False
    else:
        for pub, idx in _bounded_entries(store, query):
            text = store.render(idx)
            last = (pub, idx)
            scanned += 1
            if match is None or match(text):
                out.append(text)
            if len(out) >= query.limit or scanned >= SCAN_BUDGET:
                exhausted = False
                break
    if exhausted:
        return LogsPage(out, None)
    cur = list(last) if last is not None else (query.position or {}).get("c")
    position = {"m": "b", "d": int(query.descending), "lo": query.since_ms, "hi": query.until_ms, "c": cur}
    return LogsPage(out, codec.encode(position))


def fetch_page(store: LogStore, query: LogsQuery, codec: CursorCodec) -> LogsPage:
    """The page the query asks for."""
    if query.bounded:
        return _bounded(store, query, codec)
    return _poll(store, query, codec)


def next_query_string(query: LogsQuery, cursor: str) -> str:
    """Query string of the next link: the original parameters minus since, plus after."""
    return urlencode([*query.params, ("after", cursor)])


def utc_now_ms() -> int:
    """Now, in epoch ms."""
    return int(_dt.datetime.now(_dt.timezone.utc).timestamp() * 1000)
