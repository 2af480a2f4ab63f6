"""Okta client figures: pure-Python signing speed, per-request overhead, share pacing over a long backfill,
and paging throughput against the simulator over 127.0.0.1 with each authentication method.

``run() -> dict`` of figures; run by ``make bench`` (``python -m bench okta_client``); never asserted.
"""

from __future__ import annotations

import datetime
import random
import sys
import time
from pathlib import Path
from typing import Any, Callable

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "okta_ir" / "okta"))  # the fake Okta bucket and key helpers


def _rate(fn: Callable[[], object], seconds: float = 1.0) -> float:
    """Calls per second of ``fn`` over about ``seconds``."""
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        fn()
        count += 1
    return count / (time.perf_counter() - started)


def _signing() -> dict[str, Any]:
    from okta_http import new_rsa, pem
    from okta_ir.okta.auth import load_private_key
    from okta_ir.okta.dpop import DpopProver
    from okta_ir.okta.keys import generate_ec_key

    rsa_key, ec_key = load_private_key(pem(new_rsa(), "pkcs8")), generate_ec_key()
    prover = DpopProver(ec_key)
    started = time.perf_counter()
    for _ in range(20):
        generate_ec_key()
    return {
        "rs256_sign_per_s": round(_rate(lambda: rsa_key.sign(b"x" * 600)), 1),
        "es256_sign_per_s": round(_rate(lambda: ec_key.sign(b"x" * 300)), 1),
        "dpop_proof_per_s": round(
            _rate(
                lambda: prover.proof("GET", "https://a.okta.com/api/v1/logs", now=1.0, access_token="t" * 40)
            ),
            1,
        ),
        "ec_keygen_ms": round((time.perf_counter() - started) / 20 * 1000, 2),
    }


def _pacing(minutes: float, others: int) -> dict[str, Any]:
    from okta_http import BucketServer, FakeClock
    from okta_ir.okta.auth import ApiTokenAuth
    from okta_ir.okta.client import OktaClient

    clock = FakeClock(start=1_757_607_710.37)
    server = BucketServer(clock, others_per_window=others)
    client = OktaClient(
        "https://acme.okta.com",
        ApiTokenAuth("bench"),
        transport=httpx.MockTransport(server),
        sleep=clock.sleep,
        clock=clock,
        rng=random.Random(1),
    )
    start, url = clock.now, "/api/v1/logs"
    while clock.now - start < minutes * 60:
        url = client.get_page(url).next_url or "/api/v1/logs"
    elapsed_min = (clock.now - start) / 60
    allowed = min(60, 120 - others)
    return {
        "requests_per_min": round(server.ok / elapsed_min, 2),
        "allowed_per_min": allowed,
        "share_used_pct": round(100 * server.ok / elapsed_min / allowed, 1),
        "http_429": server.throttled,
    }


def _overhead() -> dict[str, Any]:
    from okta_ir.okta.auth import ApiTokenAuth
    from okta_ir.okta.client import OktaClient

    body = httpx.Response(200, json=[{"uuid": "u"}]).content
    client = OktaClient(
        "https://acme.okta.com",
        ApiTokenAuth("bench"),
        transport=httpx.MockTransport(lambda r: httpx.Response(200, content=body)),
    )
    return {"mock_get_page_per_s": round(_rate(lambda: client.get_page("/api/v1/logs")), 1)}


def _simulator() -> dict[str, Any]:
    from okta_http import new_ec, pem
    from okta_ir.okta.auth import ApiTokenAuth, PrivateKeyJwtAuth, load_private_key
    from okta_ir.okta.client import OktaClient
    from okta_ir.simulator.config import SimulatorConfig
    from okta_ir.simulator.running import Simulator

    key = load_private_key(pem(new_ec(), "pkcs8"))
    config = SimulatorConfig(
        scenario="background",
        events=20_000,
        api_tokens=frozenset({"bench-token"}),
        oauth_clients={"0oaBench": key.public_jwk()},
    )
    now = datetime.datetime.now(datetime.timezone.utc)
    since, until = ((now + datetime.timedelta(days=d)).strftime("%Y-%m-%dT%H:%M:%SZ") for d in (-89, 1))
    figures: dict[str, Any] = {}
    with Simulator(config).serve(port=0) as sim:
        for name, auth in (
            ("ssws", ApiTokenAuth("bench-token")),
            ("dpop", PrivateKeyJwtAuth("0oaBench", key, ["okta.logs.read"], dpop=True)),
        ):
            with OktaClient(sim.base_url, auth) as client:
                started, events, pages = time.perf_counter(), 0, 0
                for page in client.iter_pages(
                    "/api/v1/logs", {"since": since, "until": until, "limit": 1000}
                ):
                    events, pages = events + len(page.items), pages + 1
                seconds = time.perf_counter() - started
            figures[f"sim_{name}_events_per_s"] = round(events / seconds)
            figures[f"sim_{name}_pages"] = pages
    return figures


def _pacing_real(seconds: float = 30.0) -> dict[str, Any]:
    """Real clock and HTTP: a simulated org whose logs bucket allows 20 requests per 10 s window."""
    from okta_ir.okta.auth import ApiTokenAuth
    from okta_ir.okta.client import ClientSettings, OktaClient
    from okta_ir.simulator.config import SimulatorConfig
    from okta_ir.simulator.running import Simulator

    config = SimulatorConfig(
        scenario="background", events=2_000, rate_limit_per_minute=20, rate_limit_window_seconds=10.0
    )
    with (
        Simulator(config).serve(port=0) as sim,
        OktaClient(sim.base_url, ApiTokenAuth("any"), ClientSettings(rate_limit_share=0.5)) as client,
    ):
        started, url = time.time(), "/api/v1/logs?limit=10"
        while time.time() - started < seconds:
            url = client.get_page(url).next_url or "/api/v1/logs?limit=10"
        elapsed = time.time() - started
        statuses = [status for _, path, _, status in sim.requests_log if path == "/api/v1/logs"]
    allowed = 10 * elapsed / 10.0
    return {
        "real_requests": len(statuses),
        "real_allowed": round(allowed, 1),
        "real_share_used_pct": round(100 * statuses.count(200) / allowed, 1),
        "real_http_429": statuses.count(429),
    }


def run() -> dict[str, Any]:
    """All figures of this benchmark."""
    figures: dict[str, Any] = {}
    figures.update(_signing())
    figures.update(_overhead())
    for key, value in _pacing(30, 0).items():
        figures[f"pacing_alone_{key}"] = value
    for key, value in _pacing(30, 90).items():
        figures[f"pacing_shared_{key}"] = value
    figures.update(_simulator())
    figures.update(_pacing_real())
    return figures


if __name__ == "__main__":
    print(run())
