"""Full-jitter backoff and the two retry bounds."""

from __future__ import annotations

import random

from okta_http import FakeClock
from okta_ir.okta.retry import RetryBudget, full_jitter_delay


def test_full_jitter_stays_within_the_exponential_cap() -> None:
    rng = random.Random(3)
    for attempt in range(12):
        delays = [full_jitter_delay(attempt, rng) for _ in range(200)]
        ceiling = min(30.0, 0.5 * 2**attempt)
        assert all(0.0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # spread over the whole range, not a fixed delay
    assert full_jitter_delay(10_000, rng) <= 30.0


def test_budget_counts_retries_and_seconds() -> None:
    clock = FakeClock(start=0.0)
    budget = RetryBudget(max_retries=2, max_seconds=10.0, clock=clock)
    assert budget.allows(10.0) and not budget.allows(10.5)
    assert budget.spend() == 1
    clock.sleep(6.0)
    assert budget.elapsed() == 6.0 and budget.allows(4.0) and not budget.allows(4.5)
    assert budget.spend() == 2
    assert not budget.allows(0.0)  # count exhausted
