"""Rate limits, concurrency limit and injected faults of the served org."""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from okta_ir.simulator import FaultConfig, RunningSimulator, Simulator, SimulatorConfig

SSWS = {"Authorization": "SSWS t"}


def serve(**kwargs: object) -> Iterator[RunningSimulator]:
    config = SimulatorConfig(scenario="background", seed=8, events=500, **kwargs)  # type: ignore[arg-type]
    with Simulator(config).serve() as running:
        yield running


def test_rate_limit_bucket_and_429_like_the_recording() -> None:
    for running in serve(rate_limit_per_minute=3):
        with httpx.Client(timeout=10) as c:
            answers = [c.get(running.base_url + "/api/v1/logs?limit=1", headers=SSWS) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert [a.headers["x-rate-limit-remaining"] for a in answers] == ["2", "1", "0", "0"]
        assert {a.headers["x-rate-limit-limit"] for a in answers} == {"3"}
        reset = int(answers[0].headers["x-rate-limit-reset"])
        assert {int(a.headers["x-rate-limit-reset"]) for a in answers} == {reset}
        assert 0 < reset - time.time() <= 61
        limited = answers[3]
        assert "retry-after" not in limited.headers
        body = limited.json()
        assert (body["errorCode"], body["errorSummary"], body["errorLink"], body["errorCauses"]) == (
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
            "E0000047",
            [],
        )
        # other endpoints have their own, generous buckets
        with httpx.Client(timeout=10) as c:
            zones = c.get(running.base_url + "/api/v1/zones", headers=SSWS)
        assert zones.status_code == 200
        assert int(zones.headers["x-rate-limit-limit"]) == 500


def test_rate_limit_window_resets() -> None:
    for running in serve(rate_limit_per_minute=1, rate_limit_window_seconds=0.5):
        with httpx.Client(timeout=10) as c:
            assert c.get(running.base_url + "/api/v1/logs", headers=SSWS).status_code == 200
            assert c.get(running.base_url + "/api/v1/logs", headers=SSWS).status_code == 429
            time.sleep(0.6)
            assert c.get(running.base_url + "/api/v1/logs", headers=SSWS).status_code == 200


def test_concurrency_limit_answers_429_with_zero_limit_headers() -> None:
    faults = FaultConfig(rates={"timeout": 1.0}, timeout_seconds=1.5)
    for running in serve(concurrency_limit=1, faults=faults):
        holder = threading.Thread(target=_swallow, args=(running.base_url + "/api/v1/logs",))
        holder.start()
        deadline = time.monotonic() + 5
        while running.in_flight() < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert running.in_flight() == 1
        with httpx.Client(timeout=5) as c:
            resp = c.get(running.base_url + "/api/v1/zones", headers=SSWS)
        holder.join(timeout=5)
        assert resp.status_code == 429
        assert (resp.headers["x-rate-limit-limit"], resp.headers["x-rate-limit-remaining"]) == ("0", "0")
        assert resp.json()["errorCode"] == "E0000047"


def _swallow(url: str) -> None:
    with contextlib.suppress(httpx.HTTPError):
        httpx.get(url, headers=SSWS, timeout=3)


def _statuses(running: RunningSimulator, n: int) -> list[str]:
    out = []
    with httpx.Client(timeout=httpx.Timeout(5.0, read=0.4)) as c:
        for _ in range(n):
            try:
                r = c.get(running.base_url + "/api/v1/logs?limit=50", headers=SSWS)
            except httpx.ReadTimeout:
                out.append("timeout")
                continue
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.ConnectError):
                out.append("reset")
                continue
            try:
                json.loads(r.content)
                out.append(str(r.status_code))
            except ValueError:
                out.append("truncated")
    return out


def test_5xx_fault_answers_okta_error_body() -> None:
    for running in serve(faults=FaultConfig(rates={"5xx": 1.0})):
        with httpx.Client(timeout=5) as c:
            answers = [c.get(running.base_url + "/api/v1/logs", headers=SSWS) for _ in range(2)]
        assert [a.status_code for a in answers] == [500, 503]
        for a in answers:
            assert a.json()["errorCode"] == "E0000009"
            assert a.json()["errorSummary"] == "Internal Server Error"


def test_429_fault_has_rate_headers() -> None:
    for running in serve(faults=FaultConfig(rates={"429": 1.0})):
        resp = httpx.get(running.base_url + "/api/v1/logs", headers=SSWS, timeout=5)
        assert resp.status_code == 429
        assert resp.headers["x-rate-limit-remaining"] == "0"
        assert int(resp.headers["x-rate-limit-reset"]) >= int(time.time())
        assert resp.json()["errorCode"] == "E0000047"


def test_timeout_fault_holds_then_drops_the_connection() -> None:
    for running in serve(faults=FaultConfig(rates={"timeout": 1.0}, timeout_seconds=0.8)):
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(running.base_url + "/api/v1/logs", headers=SSWS, timeout=httpx.Timeout(5.0, read=0.3))
        assert time.monotonic() - started < 0.8
        started = time.monotonic()
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            httpx.get(running.base_url + "/api/v1/logs", headers=SSWS, timeout=5)
        assert 0.7 < time.monotonic() - started < 6


def test_reset_fault_closes_without_answer() -> None:
    for running in serve(faults=FaultConfig(rates={"reset": 1.0})):
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            httpx.get(running.base_url + "/api/v1/logs", headers=SSWS, timeout=5)
        assert running.requests_log[-1][:2] == ("GET", "/api/v1/logs")


def test_truncated_fault_cuts_the_page_with_a_correct_length() -> None:
    for running in serve(faults=FaultConfig(rates={"truncated": 1.0})):
        resp = httpx.get(running.base_url + "/api/v1/logs?limit=20", headers=SSWS, timeout=5)
        assert resp.status_code == 200
        assert int(resp.headers["content-length"]) == len(resp.content)
        with pytest.raises(ValueError):
            json.loads(resp.content)
        full = ("[" + ",".join(itertools.islice(running.ground_truth_raw(), 20)) + "]").encode()
        assert resp.content == full[: len(full) // 2]


def test_faults_are_deterministic_for_a_seed_and_spare_other_paths() -> None:
    faults = FaultConfig(rate=0.5, kinds=("5xx", "429", "truncated", "reset"))
    runs = []
    for _ in range(2):
        for running in serve(faults=faults):
            runs.append(_statuses(running, 24))
            with httpx.Client(timeout=5) as c:
                assert all(
                    c.get(running.base_url + "/api/v1/zones", headers=SSWS).status_code == 200
                    for _ in range(10)
                )
    assert runs[0] == runs[1]
    assert {"200", "500", "429", "truncated", "reset"} <= set(runs[0]) | {"503"}
    assert 4 <= runs[0].count("200") <= 20


def test_unknown_path_is_404_okta_body() -> None:
    for running in serve():
        resp = httpx.get(running.base_url + "/api/v1/nothing", headers=SSWS, timeout=5)
        assert resp.status_code == 404
        assert resp.json()["errorCode"] == "E0000007"


def test_known_path_with_wrong_method_is_405() -> None:
    for running in serve():
        resp = httpx.delete(running.base_url + "/api/v1/logs", headers=SSWS, timeout=5)
        assert resp.status_code == 405
        assert resp.headers["allow"] == "GET"
        assert resp.json()["errorCode"] == "E0000022"
