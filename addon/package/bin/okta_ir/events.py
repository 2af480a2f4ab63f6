"""Okta System Log events: UTC time parsing, org stamping and bounded uuid dedupe.

Everything here is on the collector's hot path: per-event work is kept to dictionary and set operations.
Times are always read as UTC; nothing here consults the process time zone.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple, Optional
from urllib.parse import urlsplit

from okta_ir.errors import ConfigError, InvalidResponseError

__all__ = [
    "ORG_FIELD",
    "EventBatch",
    "RecentUuids",
    "Selection",
    "format_okta_time",
    "org_label",
    "parse_time_arg",
    "parse_timestamp",
    "published_epoch",
    "split_json_array",
    "stamp_org",
    "stamped_json_lines",
]

ORG_FIELD = "okta_org"

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?"
    r"\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))?\Z"
)
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_RELATIVE = re.compile(r"(\d+)\s*([smhd])\Z")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_timestamp(text: Any) -> Optional[float]:
    """Seconds since the epoch for an ISO-8601 time, read as UTC when it carries no offset.

    Accepts ``Z``, ``+00:00``/``+0000`` offsets, a ``T`` or a space between date and time, and a
    fraction of any length. Returns None for anything else, including impossible dates (2017-09-31).
    """
    if not isinstance(text, str):
        return None
    match = _TIMESTAMP.match(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, _zulu, sign, off_h, off_m = match.groups()
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=timezone.utc
        )
    except ValueError:
        return None
    epoch = float((moment - _EPOCH) // timedelta(seconds=1))
    if fraction:
        epoch += int(fraction) / (10 ** len(fraction))
    if sign:
        hours, minutes = int(off_h), int(off_m)
        if hours > 23 or minutes > 59:
            return None
        offset = hours * 3600 + minutes * 60
        epoch = epoch - offset if sign == "+" else epoch + offset
    return epoch


def published_epoch(event: dict[str, Any]) -> Optional[float]:
    """The event's ``published`` time in epoch seconds (UTC), or None when absent or invalid."""
    if not isinstance(event, dict):
        return None
    return parse_timestamp(event.get("published"))


def format_okta_time(epoch: float) -> str:
    """Epoch seconds as the ISO-8601 form Okta's ``since``/``until`` expect (milliseconds, ``Z``)."""
    moment = _EPOCH + timedelta(milliseconds=round(epoch * 1000))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time_arg(text: str, now: float) -> float:
    """A user-given time: ISO-8601 (UTC when no offset) or relative to ``now`` (``90s``, ``24h``, ``7d``).

    Raises ConfigError with a one-line explanation when it is neither.
    """
    value = (text or "").strip()
    relative = _RELATIVE.match(value)
    if relative:
        return now - int(relative.group(1)) * _UNIT_SECONDS[relative.group(2)]
    epoch = parse_timestamp(value)
    if epoch is None:
        raise ConfigError(
            f"time {text!r} is neither ISO-8601 (2024-05-01T00:00:00Z) nor relative (15m, 24h, 7d)"
        )
    return epoch


def org_label(org_url: str) -> str:
    """The org as stamped on events: ``host`` or ``host:port`` (lower case, no scheme, no credentials)."""
    parts = urlsplit(org_url if "//" in org_url else "//" + org_url)
    host = (parts.hostname or "").lower()
    if not host:
        raise ConfigError(f"cannot find a host in org URL {org_url!r}")
    return f"{host}:{parts.port}" if parts.port else host


def stamp_org(events: Sequence[dict[str, Any]], org: str) -> None:
    """Add the top-level ``okta_org`` field to every event, in place."""
    for event in events:
        event[ORG_FIELD] = org


def _skip_whitespace(text: str, index: int) -> int:
    match = _WHITESPACE.match(text, index)
    return match.end() if match else index


def split_json_array(body: bytes) -> tuple[list[Any], list[str]]:
    """Parse a JSON array body into its items and each item's exact JSON text, in one pass.

    The texts let a sink write events as Okta sent them instead of encoding them again.
    Raises InvalidResponseError when the body is not one complete JSON array (e.g. truncated).
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidResponseError("the System Log answer is not UTF-8 text") from None
    raw_decode, skip = _DECODER.raw_decode, _skip_whitespace
    items: list[Any] = []
    texts: list[str] = []
    try:
        index = skip(text, 0)
        if text[index] != "[":
            raise InvalidResponseError("expected a JSON array from the System Log")
        index = skip(text, index + 1)
        if text[index] == "]":
            end = index + 1
        else:
            while True:
                item, end = raw_decode(text, index)
                items.append(item)
                texts.append(text[index:end])
                if text[end] != ",":  # compact JSON: the comma follows at once
                    end = skip(text, end)
                if text[end] == ",":
                    index = end + 1
                    if text[index] in " \t\n\r":
                        index = skip(text, index)
                    continue
                if text[end] != "]":
                    raise InvalidResponseError("malformed JSON array from the System Log")
                end += 1
                break
    except (IndexError, ValueError):
        raise InvalidResponseError(f"invalid or truncated JSON ({len(body)} bytes)") from None
    if skip(text, end) != len(text):
        raise InvalidResponseError("unexpected data after the JSON array from the System Log")
    return items, texts


def stamped_json_lines(events: Sequence[dict[str, Any]], texts: Sequence[str], org: str) -> list[str]:
    """One JSON line per event: its original text with ``okta_org`` added first.

    Call before ``stamp_org``. Events whose text cannot take the prefix (empty object, already an
    ``okta_org``, line breaks inside) are encoded again, with the org.
    """
    prefix = '{"' + ORG_FIELD + '":' + json.dumps(org) + ","
    lines = []
    for event, text in zip(events, texts):
        if event and ORG_FIELD not in event and "\n" not in text and "\r" not in text:
            lines.append(prefix + text[1:])
        else:
            lines.append(json.dumps({**event, ORG_FIELD: org}, separators=(",", ":"), ensure_ascii=False))
    return lines


class EventBatch(list):
    """A batch of event dicts that may also carry ``json_lines``: each event as one JSON line."""

    def __init__(self, events: Sequence[dict[str, Any]], json_lines: Optional[list[str]] = None) -> None:
        super().__init__(events)
        self.json_lines = json_lines


class Selection(NamedTuple):
    """What ``RecentUuids.select_new`` keeps of a page."""

    events: list[dict[str, Any]]
    uuids: list[Any]
    duplicates: int
    malformed: int
    positions: Optional[list[int]]  # indices of the kept items in the page; None: all of them


class RecentUuids:
    """The most recently delivered event uuids, bounded to ``capacity`` (oldest forgotten first)."""

    def __init__(self, capacity: int, initial: Iterable[str] = ()) -> None:
        if capacity < 1:
            raise ConfigError("the dedupe window must hold at least one uuid")
        self.capacity = capacity
        self._order: deque[str] = deque()
        self._set: set[str] = set()
        self.add(initial)

    def __contains__(self, uuid: object) -> bool:
        return uuid in self._set

    def __len__(self) -> int:
        return len(self._set)

    def add(self, uuids: Iterable[Any]) -> None:
        """Remember delivered uuids (non-strings are ignored: they cannot be deduplicated)."""
        order, members = self._order, self._set
        batch = [uuid for uuid in uuids if isinstance(uuid, str)]
        if members.isdisjoint(batch) and len(set(batch)) == len(batch):
            members.update(batch)
            order.extend(batch)
        else:
            for uuid in batch:
                if uuid not in members:
                    members.add(uuid)
                    order.append(uuid)
        while len(order) > self.capacity:
            members.discard(order.popleft())

    def snapshot(self) -> tuple[str, ...]:
        """The remembered uuids, oldest first (what a checkpoint stores)."""
        return tuple(self._order)

    def select_new(self, items: Sequence[Any]) -> Selection:
        """Split a page into events not delivered yet.

        Events and their uuids come in page order, with the number of duplicates dropped (already
        delivered, or repeated within the page) and of items dropped for not being JSON objects.
        Events without a string uuid are kept (they cannot be deduplicated).
        """
        try:
            uuids = [item.get("uuid") for item in items]
            if self._set.isdisjoint(uuids) and len(set(uuids)) == len(uuids):
                return Selection(list(items), uuids, 0, 0, None)
        except (AttributeError, TypeError):
            pass
        return self._select_slow(items)

    def _select_slow(self, items: Sequence[Any]) -> Selection:
        events: list[dict[str, Any]] = []
        uuids: list[Any] = []
        positions: list[int] = []
        page_seen: set[str] = set()
        duplicates = malformed = 0
        for position, item in enumerate(items):
            if not isinstance(item, dict):
                malformed += 1
                continue
            uuid = item.get("uuid")
            if isinstance(uuid, str):
                if uuid in self._set or uuid in page_seen:
                    duplicates += 1
                    continue
                page_seen.add(uuid)
            else:
                uuid = None
            events.append(item)
            uuids.append(uuid)
            positions.append(position)
        return Selection(events, uuids, duplicates, malformed, positions)
