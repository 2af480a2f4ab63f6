"""Retry bookkeeping: exponential backoff with full jitter, bounded by a count and by elapsed time."""

from __future__ import annotations

import random
from typing import Callable

__all__ = ["RetryBudget", "full_jitter_delay"]


def full_jitter_delay(attempt: int, rng: random.Random, base: float = 0.5, cap: float = 30.0) -> float:
    """``uniform(0, min(cap, base * 2**attempt))`` (AWS "full jitter"); ``attempt`` counts from 0."""
    return rng.uniform(0.0, min(cap, base * (2.0 ** min(attempt, 32))))


class RetryBudget:
    """How many retries and how many seconds one logical request may still spend."""

    def __init__(self, max_retries: int, max_seconds: float, clock: Callable[[], float]) -> None:
        self.max_retries = max_retries
        self.max_seconds = max_seconds
        self._clock = clock
        self._started = clock()
        self.retries = 0

    def elapsed(self) -> float:
        """Seconds since the first attempt."""
        return self._clock() - self._started

    def allows(self, wait: float) -> bool:
        """True when one more retry after sleeping ``wait`` seconds stays within both bounds."""
        return self.retries < self.max_retries and self.elapsed() + wait <= self.max_seconds

    def spend(self) -> int:
        """Record one retry; returns the retry number (1-based)."""
        self.retries += 1
        return self.retries
