"""Okta rate-limit headers per bucket, the server clock, and the pacing rule that keeps us within our share.

Pacing rule (documented; see ``RateLimiter.wait_before``): in a bucket's current window (until
``X-Rate-Limit-Reset``, on the server's clock), this client sends at most ``max(1, floor(limit * share))``
requests, counted from the responses that reported that window, and never sends while the server says
``Remaining`` is 0. When either holds, it sleeps until the reset (+ a small margin). The server clock is
estimated from the ``Date`` headers: each sample is a lower bound (whole seconds, stamped before the
answer travelled), so the tightest recent one is used and we wake late, never early.
"""

from __future__ import annotations

import email.utils
import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Optional

OFFSET_MEMORY = 300.0  # seconds a Date sample counts (a server clock that steps back is followed)

__all__ = [
    "BucketState",
    "RateLimiter",
    "bucket_for",
    "parse_http_date",
    "retry_after_seconds",
    "server_reset_wait",
]


@dataclass(frozen=True)
class BucketState:
    """What Okta last said about one bucket, plus this client's count in the current window."""

    limit: int
    remaining: int
    reset_at: float  # server epoch seconds
    used_in_window: int


def bucket_for(path: str) -> str:
    """A normalized path template keying the rate-limit bucket.

    ``/api/v1/<collection>/<id>/<sub>/<id>...``: every segment after a collection is an id, except that
    ``lifecycle/<op>`` becomes ``lifecycle/*``. ``/api/v1/logs`` stays as is; the query is dropped.
    """
    path = path.split("?", 1)[0].split("#", 1)[0]
    segments = [s for s in path.split("/") if s]
    if len(segments) < 3 or segments[0] != "api":
        return "/" + "/".join(segments)
    out = segments[:3]
    for index, segment in enumerate(segments[3:]):
        if out[-1] == "lifecycle":
            out.append("*")
        elif index % 2 == 0:
            out.append("{id}")
        else:
            out.append(segment)
    return "/" + "/".join(out)


def parse_http_date(value: Optional[str]) -> Optional[float]:
    """Epoch seconds of an HTTP date (``Thu, 11 Sep 2025 16:21:50 GMT``), None if absent or unparseable."""
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    return parsed.timestamp()


def _int_header(headers: Mapping[str, str], name: str) -> Optional[int]:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(float(value.strip()))
    except ValueError:
        return None


def retry_after_seconds(headers: Mapping[str, str], server_now: Optional[float]) -> Optional[float]:
    """``Retry-After`` in seconds (delta or HTTP date), None if absent."""
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = parse_http_date(value)
    if when is None or server_now is None:
        return None
    return max(0.0, when - server_now)


def server_reset_wait(headers: Mapping[str, str]) -> Optional[float]:
    """Seconds until ``X-Rate-Limit-Reset`` measured against the response ``Date`` (server clock)."""
    reset = _int_header(headers, "x-rate-limit-reset")
    date = parse_http_date(headers.get("date"))
    if reset is None or date is None:
        return None
    return max(0.0, reset - date)


class RateLimiter:
    """Per-bucket rate-limit state for one client; not thread-safe (one client, one thread)."""

    def __init__(self, share: float, margin: float = 1.0, max_pause: float = 120.0) -> None:
        if not 0.0 < share <= 1.0:
            raise ValueError("rate_limit_share must be in (0, 1]")
        self.share = share
        self.margin = margin
        self.max_pause = max_pause
        self._buckets: dict[str, BucketState] = {}
        # (local time, Date - local time) samples: each is a lower bound of the true offset, since
        # Date is floored to the second and stamped before the answer travelled back to us.
        self._offsets: deque[tuple[float, float]] = deque(maxlen=256)

    def server_now(self, local_now: float) -> float:
        """The estimated server time (local time when no Date was seen yet)."""
        return local_now + self.clock_offset(local_now)

    def clock_offset(self, local_now: float) -> float:
        """Server minus local clock: the tightest lower bound of the last ``OFFSET_MEMORY`` s (0 if none)."""
        while self._offsets and self._offsets[0][0] < local_now - OFFSET_MEMORY:
            self._offsets.popleft()
        if not self._offsets:
            return 0.0
        return max(offset for _, offset in self._offsets)

    def allowance(self, limit: int) -> int:
        """Requests this client may send per window of a bucket with ``limit``."""
        return max(1, math.floor(limit * self.share + 1e-9))

    def observe(self, bucket: str, headers: Mapping[str, str], local_now: float) -> None:
        """Learn the server clock and the bucket's state from a response."""
        date = parse_http_date(headers.get("date"))
        if date is not None:
            self._offsets.append((local_now, date - local_now))
        limit = _int_header(headers, "x-rate-limit-limit")
        remaining = _int_header(headers, "x-rate-limit-remaining")
        reset = _int_header(headers, "x-rate-limit-reset")
        if limit is None or remaining is None or reset is None or limit <= 0:
            return  # no headers, or a concurrency answer (Limit=0): handled as a 429 by the caller
        previous = self._buckets.get(bucket)
        if previous is None or reset > previous.reset_at or limit != previous.limit:
            used = 1
        else:
            used = previous.used_in_window + 1
            remaining = min(remaining, previous.remaining) if reset == previous.reset_at else remaining
        self._buckets[bucket] = BucketState(limit, remaining, float(reset), used)

    def wait_before(self, bucket: str, local_now: float) -> float:
        """Seconds to sleep before the next request on ``bucket`` (0.0 when it may go now)."""
        state = self._buckets.get(bucket)
        if state is None:
            return 0.0
        now = self.server_now(local_now)
        if now >= state.reset_at:
            return 0.0
        if state.used_in_window >= self.allowance(state.limit) or state.remaining <= 0:
            return min(self.max_pause, state.reset_at - now + self.margin)
        return 0.0

    def state(self) -> dict[str, BucketState]:
        """A copy of every bucket's state."""
        return {name: replace(value) for name, value in self._buckets.items()}
