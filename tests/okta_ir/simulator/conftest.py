"""Shared fixtures: small simulated orgs served on 127.0.0.1:0."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from okta_ir.simulator import RunningSimulator, Simulator, SimulatorConfig

SSWS = {"Authorization": "SSWS test-token"}


@pytest.fixture(scope="module")
def guide_sim() -> Simulator:
    """A guide-scenario org of 3000 events (read-only use)."""
    return Simulator(SimulatorConfig(scenario="guide", seed=11, events=3000))


@pytest.fixture(scope="module")
def guide(guide_sim: Simulator) -> Iterator[RunningSimulator]:
    """The guide org, served (read-only use: tests must not change its state)."""
    with guide_sim.serve() as running:
        yield running


@pytest.fixture()
def client() -> Iterator[httpx.Client]:
    """A plain HTTP client with a short timeout."""
    with httpx.Client(timeout=10.0) as c:
        yield c
