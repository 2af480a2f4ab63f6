"""A local Okta org for the demo and the tests: System Log, OAuth/DPoP, containment endpoints, faults.

    from okta_ir.simulator import SimulatorConfig, FaultConfig, Simulator
    sim = Simulator(SimulatorConfig(scenario="guide", seed=7, events=10_000))
    with sim.serve() as running:
        running.base_url  # http://127.0.0.1:PORT

Left out of the Splunk app; Python 3.9 compatible; does not use the project's Okta client.
"""

from __future__ import annotations

from okta_ir.simulator.config import FAULT_KINDS, FaultConfig, SimulatorConfig
from okta_ir.simulator.running import RunningSimulator, Simulator
from okta_ir.simulator.scenario import ScenarioFacts

__all__ = ["FAULT_KINDS", "FaultConfig", "RunningSimulator", "ScenarioFacts", "Simulator", "SimulatorConfig"]
