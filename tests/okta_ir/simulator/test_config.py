"""Configuration errors are ConfigError with a clear message."""

from __future__ import annotations

import pytest
from okta_ir.errors import ConfigError
from okta_ir.simulator import Simulator, SimulatorConfig


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scenario": "heist"}, "unknown scenario 'heist'"),
        ({"seed": -1}, "seed"),
        ({"events": -5}, "events"),
        ({"start": "last tuesday"}, "start"),
        ({"rate_limit_per_minute": 0}, "rate limit"),
        ({"late_fraction": 0.9}, "late_fraction"),
        ({"host": "0.0.0.0"}, "127.0.0.1"),
        ({"api_tokens": frozenset({""})}, "api_tokens"),
        ({"oauth_clients": {"c": {"kty": "oct", "k": "x"}}}, "RSA or EC"),
        ({"oauth_clients": {"c": {"kty": "RSA", "n": "x", "e": "AQAB", "d": "secret"}}}, "PUBLIC key only"),
        ({"org_name": "bad org!"}, "org_name"),
    ],
)
def test_bad_values(kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        SimulatorConfig(**kwargs)


def test_org_level_checks() -> None:
    with pytest.raises(ConfigError, match="at least 200 events"):
        Simulator(SimulatorConfig(scenario="guide", events=100))
    with pytest.raises(ConfigError, match="a minute before the end"):
        Simulator(SimulatorConfig(start="2999-01-01T00:00:00Z"))
    with pytest.raises(ConfigError, match="must not be in the future"):
        Simulator(SimulatorConfig(end="2999-01-01T00:00:00Z"))
    assert Simulator(SimulatorConfig(scenario="background", events=0)).org.store.total() == 0


def test_secret_jwk_parts_are_not_echoed() -> None:
    with pytest.raises(ConfigError) as info:
        SimulatorConfig(oauth_clients={"c": {"kty": "RSA", "n": "x", "e": "AQAB", "d": "TOPSECRETVALUE"}})
    assert "TOPSECRETVALUE" not in str(info.value)


def test_api_tokens_stay_out_of_the_repr() -> None:
    config = SimulatorConfig(api_tokens=frozenset({"SSWS-SECRET-123"}))
    assert "SSWS-SECRET-123" not in repr(config)
    assert config.api_tokens == frozenset({"SSWS-SECRET-123"})


def test_the_head_count_follows_the_volume_unless_given() -> None:
    assert SimulatorConfig(events=20_000).user_count == 400
    assert SimulatorConfig(events=1_000_000).user_count == 10_000
    assert SimulatorConfig(events=100_000_000).user_count == 100_000
    assert SimulatorConfig(events=1_000_000, users=40).user_count == 40
