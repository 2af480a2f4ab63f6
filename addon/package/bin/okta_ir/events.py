"""Okta System Log events: UTC time parsing, org stamping and bounded uuid dedupe.

Everything here is on the collector's hot path: per-event work is kept to dictionary and set operations.
Times are always read as UTC; nothing here consults the process time zone.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, Optional
from urllib.parse import urlsplit

from okta_ir.errors import ConfigError

__all__ = [
    "ORG_FIELD",
    "RecentUuids",
    "format_okta_time",
    "org_label",
    "parse_time_arg",
    "parse_timestamp",
    "published_epoch",
    "stamp_org",
]

ORG_FIELD = "okta_org"

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?"
    r"\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))?\Z"
)
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
        for uuid in uuids:
            if isinstance(uuid, str) and uuid not in members:
                members.add(uuid)
                order.append(uuid)
        while len(order) > self.capacity:
            members.discard(order.popleft())

    def snapshot(self) -> tuple[str, ...]:
        """The remembered uuids, oldest first (what a checkpoint stores)."""
        return tuple(self._order)

    def select_new(self, items: Sequence[Any]) -> tuple[list[dict[str, Any]], list[Any], int, int]:
        """Split a page into events not delivered yet.

        Returns ``(events, uuids, duplicates, malformed)``: events and their uuids in page order,
        the number of duplicates dropped (already delivered, or repeated within the page), and the
        number of items dropped because they are not JSON objects. Events without a string uuid are
        kept (they cannot be deduplicated).
        """
        try:
            uuids = [item.get("uuid") for item in items]
            if self._set.isdisjoint(uuids) and len(set(uuids)) == len(uuids):
                return list(items), uuids, 0, 0
        except (AttributeError, TypeError):
            pass
        return self._select_slow(items)

    def _select_slow(self, items: Sequence[Any]) -> tuple[list[dict[str, Any]], list[Any], int, int]:
        events: list[dict[str, Any]] = []
        uuids: list[Any] = []
        page_seen: set[str] = set()
        duplicates = malformed = 0
        for item in items:
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
        return events, uuids, duplicates, malformed
