"""Bucket keys, Date/Reset arithmetic and the pacing rule of RateLimiter."""

from __future__ import annotations

import pytest
from okta_http import http_date
from okta_ir.okta.ratelimit import (
    BucketState,
    RateLimiter,
    bucket_for,
    parse_http_date,
    retry_after_seconds,
    server_reset_wait,
)


@pytest.mark.parametrize(
    ("path", "bucket"),
    [
        ("/api/v1/logs", "/api/v1/logs"),
        ("/api/v1/logs?since=x&after=y", "/api/v1/logs"),
        ("/api/v1/users", "/api/v1/users"),
        ("/api/v1/users/00u1abc", "/api/v1/users/{id}"),
        ("/api/v1/users/john%40acme.com", "/api/v1/users/{id}"),
        ("/api/v1/users/00u1/lifecycle/suspend", "/api/v1/users/{id}/lifecycle/*"),
        ("/api/v1/users/00u2/lifecycle/reset_factors", "/api/v1/users/{id}/lifecycle/*"),
        ("/api/v1/users/00u1/sessions", "/api/v1/users/{id}/sessions"),
        ("/api/v1/users/00u1/factors/mbl1", "/api/v1/users/{id}/factors/{id}"),
        ("/api/v1/groups/00g1/users/00u1", "/api/v1/groups/{id}/users/{id}"),
        ("/api/v1/zones/nzo1/lifecycle/activate", "/api/v1/zones/{id}/lifecycle/*"),
        ("/oauth2/v1/token", "/oauth2/v1/token"),
    ],
)
def test_bucket_templates(path: str, bucket: str) -> None:
    assert bucket_for(path) == bucket


def headers(limit: int, remaining: int, reset: int, date: float) -> dict[str, str]:
    return {
        "x-rate-limit-limit": str(limit),
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": str(reset),
        "date": http_date(date),
    }


def test_server_clock_and_reset_wait_use_date_not_local_time() -> None:
    assert parse_http_date("Thu, 11 Sep 2025 16:21:50 GMT") == 1_757_607_710.0
    assert parse_http_date("yesterday") is None and parse_http_date(None) is None
    assert (
        server_reset_wait({"date": "Thu, 11 Sep 2025 16:21:50 GMT", "x-rate-limit-reset": "1757607758"})
        == 48.0
    )
    assert (
        server_reset_wait({"date": "Thu, 11 Sep 2025 16:21:50 GMT", "x-rate-limit-reset": "1757607000"})
        == 0.0
    )
    assert server_reset_wait({"x-rate-limit-reset": "1757607758"}) is None
    assert retry_after_seconds({"retry-after": "12"}, None) == 12.0
    assert retry_after_seconds({"retry-after": "Thu, 11 Sep 2025 16:22:00 GMT"}, 1_757_607_710.0) == 10.0
    assert retry_after_seconds({}, 1.0) is None


def test_allowance_is_floor_of_limit_times_share() -> None:
    assert [RateLimiter(0.5).allowance(n) for n in (120, 50, 20, 1)] == [60, 25, 10, 1]
    assert RateLimiter(1.0).allowance(120) == 120 and RateLimiter(0.3).allowance(10) == 3
    with pytest.raises(ValueError):
        RateLimiter(1.5)


def test_pauses_when_our_share_of_the_window_is_used() -> None:
    limiter = RateLimiter(0.5, margin=1.0)
    local_offset = -5000.0  # local clock 5000 s behind the server: only the server clock counts
    server_t = 10_000.0
    for n in range(9):
        limiter.observe("/api/v1/logs", headers(20, 19 - n, 10_060, server_t), server_t + local_offset)
        assert limiter.wait_before("/api/v1/logs", server_t + local_offset) == 0.0
    limiter.observe("/api/v1/logs", headers(20, 10, 10_060, server_t), server_t + local_offset)
    assert limiter.state()["/api/v1/logs"] == BucketState(20, 10, 10_060.0, 10)
    assert limiter.wait_before("/api/v1/logs", server_t + local_offset) == 61.0
    assert limiter.wait_before("/api/v1/logs", server_t + local_offset + 30) == 31.0
    assert limiter.wait_before("/api/v1/logs", server_t + local_offset + 60) == 0.0  # window over
    assert limiter.wait_before("/api/v1/users", server_t + local_offset) == 0.0  # other buckets unaffected


def test_pauses_when_the_server_says_nothing_remains() -> None:
    limiter = RateLimiter(0.5)
    limiter.observe("b", headers(120, 0, 1060, 1000), 1000)
    assert limiter.wait_before("b", 1000) == 61.0


def test_new_window_restarts_the_count_and_limit_zero_is_ignored() -> None:
    limiter = RateLimiter(0.5)
    for _ in range(3):
        limiter.observe("b", headers(4, 2, 1060, 1000), 1000)
    assert limiter.state()["b"].used_in_window == 3
    limiter.observe("b", headers(4, 3, 1120, 1061), 1061)
    assert limiter.state()["b"] == BucketState(4, 3, 1120.0, 1)
    limiter.observe("b", headers(0, 0, 1130, 1062), 1062)  # concurrency answer: not a bucket state
    assert limiter.state()["b"] == BucketState(4, 3, 1120.0, 1)
    limiter.observe("b", {"date": http_date(1063)}, 1063)  # no rate-limit headers at all
    assert limiter.state()["b"].used_in_window == 1


def test_pause_is_capped() -> None:
    limiter = RateLimiter(0.5, max_pause=120.0)
    limiter.observe("b", headers(10, 0, 100_000, 1000), 1000)
    assert limiter.wait_before("b", 1000) == 120.0


def test_state_is_a_copy() -> None:
    limiter = RateLimiter(0.5)
    limiter.observe("b", headers(10, 9, 1060, 1000), 1000)
    snapshot = limiter.state()
    limiter.observe("b", headers(10, 8, 1060, 1001), 1001)
    assert snapshot["b"].used_in_window == 1 and limiter.state()["b"].used_in_window == 2


def test_server_clock_uses_the_tightest_recent_date_sample() -> None:
    limiter = RateLimiter(0.5)
    assert limiter.clock_offset(100.0) == 0.0 and limiter.server_now(100.0) == 100.0
    # the server is 1000.7 s ahead; its Date is floored and reaches us 0.1 s later
    for local in (100.0, 100.5, 101.1, 101.6):
        server = local - 0.1 + 1000.7
        limiter.observe("b", {"date": http_date(server)}, local)
    # samples 1000.0, 1000.5, 999.9, 1000.4: the max is the tightest bound, still below the truth (1000.7)
    assert limiter.clock_offset(101.6) == pytest.approx(1000.5)
    assert limiter.server_now(101.6) == pytest.approx(101.6 + 1000.5)
    # five minutes later the old samples are forgotten: a server clock stepped back 10 s is followed
    limiter.observe("b", {"date": http_date(500.0 + 990.0)}, 500.0)
    assert limiter.clock_offset(500.0) == 990.0
