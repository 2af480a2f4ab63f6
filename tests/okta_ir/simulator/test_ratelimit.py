"""Rate-limit buckets with a controlled clock."""

from __future__ import annotations

from okta_ir.simulator.ratelimit import UNLIMITED, Bucket, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.25

    def __call__(self) -> float:
        return self.now


def test_window_counts_and_resets() -> None:
    clock = Clock()
    bucket = Bucket(2, 60.0, clock)
    seen: list[tuple] = []
    for _ in range(3):
        d = bucket.take()
        seen.append((d.allowed, d.remaining, d.reset_epoch))
    assert seen == [(True, 1, 1061), (True, 0, 1061), (False, 0, 1061)]
    clock.now = 1060.3
    d = bucket.take()
    assert (d.allowed, d.remaining, d.reset_epoch) == (True, 1, 1121)
    assert d.headers() == {
        "X-Rate-Limit-Limit": "2",
        "X-Rate-Limit-Remaining": "1",
        "X-Rate-Limit-Reset": "1121",
    }


def test_unlimited_bucket_never_refuses() -> None:
    bucket = Bucket(None, 60.0, Clock())
    assert all(bucket.take().allowed for _ in range(1000))
    assert bucket.take().limit == UNLIMITED


def test_limiter_separates_buckets() -> None:
    limiter = RateLimiter(1, 60.0, Clock())
    assert limiter.take("logs").allowed
    assert not limiter.take("logs").allowed
    assert limiter.take("users").allowed
    assert limiter.take("unknown-bucket").limit == RateLimiter.DEFAULTS["other"]
