"""Okta-style rate-limit buckets: N requests per window, headers Limit/Remaining/Reset (epoch seconds)."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Callable, Optional

__all__ = ["UNLIMITED", "Bucket", "RateDecision", "RateLimiter"]

UNLIMITED = 1_000_000


@dataclass(frozen=True)
class RateDecision:
    """The outcome of taking one request from a bucket, with the headers to send."""

    allowed: bool
    limit: int
    remaining: int
    reset_epoch: int

    def headers(self) -> dict[str, str]:
        return {
            "X-Rate-Limit-Limit": str(self.limit),
            "X-Rate-Limit-Remaining": str(self.remaining),
            "X-Rate-Limit-Reset": str(self.reset_epoch),
        }


class Bucket:
    """A fixed window that starts with the first request after the previous one ended (not clock-aligned)."""

    def __init__(
        self, limit: Optional[int], window_seconds: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._window_end = 0.0
        self._used = 0

    def take(self) -> RateDecision:
        """Count one request; ``allowed`` is False once the window's quota is spent."""
        now = self._clock()
        with self._lock:
            if now >= self._window_end:
                self._window_end = now + self.window
                self._used = 0
            reset = math.ceil(self._window_end)
            if self.limit is None:
                return RateDecision(True, UNLIMITED, UNLIMITED - 1, reset)
            if self._used >= self.limit:
                return RateDecision(False, self.limit, 0, reset)
            self._used += 1
            return RateDecision(True, self.limit, self.limit - self._used, reset)


class RateLimiter:
    """Named buckets: ``logs`` configurable, the others generous like a Workforce org."""

    DEFAULTS = {
        "users": 600,
        "user_get": 2000,
        "groups": 1000,
        "zones": 500,
        "sessions": 600,
        "authn": 600,
        "oauth": 600,
        "other": 1000,
    }

    def __init__(
        self, logs_limit: Optional[int], window_seconds: float, clock: Callable[[], float] = time.time
    ) -> None:
        self._buckets: dict[str, Bucket] = {"logs": Bucket(logs_limit, window_seconds, clock)}
        for name, limit in self.DEFAULTS.items():
            self._buckets[name] = Bucket(limit, 60.0, clock)

    def take(self, bucket: str) -> RateDecision:
        """Take one request from the named bucket."""
        return self._buckets.get(bucket, self._buckets["other"]).take()
