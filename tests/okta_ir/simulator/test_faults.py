"""Fault plans: deterministic per seed, shares close to the configured rates."""

from __future__ import annotations

from collections import Counter

import pytest
from okta_ir.errors import ConfigError
from okta_ir.simulator.config import FaultConfig
from okta_ir.simulator.faults import FaultPlan


def test_same_seed_same_faults_and_rates_respected() -> None:
    config = FaultConfig(rate=0.3)
    a = [FaultPlan(config, 7).next_fault() for _ in range(1)]
    plan1, plan2 = FaultPlan(config, 7), FaultPlan(config, 7)
    seq1 = [plan1.next_fault() for _ in range(5000)]
    seq2 = [plan2.next_fault() for _ in range(5000)]
    assert seq1 == seq2
    assert a == seq1[:1]
    counts = Counter(seq1)
    assert 0.27 < (5000 - counts[None]) / 5000 < 0.33
    for kind in ("5xx", "429", "timeout", "reset", "truncated"):
        assert 0.04 < counts[kind] / 5000 < 0.08
    assert seq1 != [FaultPlan(config, 8).next_fault() for _ in range(5000)]


def test_per_kind_rates_and_paths() -> None:
    plan = FaultPlan(FaultConfig(rates={"reset": 1.0}, paths=("/api/v1/zones",)), 1)
    assert plan.applies_to("/api/v1/zones")
    assert not plan.applies_to("/api/v1/logs")
    assert {plan.next_fault() for _ in range(50)} == {"reset"}
    assert not FaultPlan(FaultConfig(), 1).applies_to("/api/v1/logs")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate": 1.5}, "between 0 and 1"),
        ({"kinds": ("5xx", "meteor")}, "meteor"),
        ({"rates": {"5xx": 0.7, "429": 0.6}}, "more than 1"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
    ],
)
def test_bad_fault_config(kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        FaultConfig(**kwargs)
