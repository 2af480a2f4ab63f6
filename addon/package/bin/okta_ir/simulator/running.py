"""``Simulator`` (build an org from a config) and ``RunningSimulator`` (the org served over HTTP)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Optional

from okta_ir.simulator.admin_api import admin_routes
from okta_ir.simulator.authn_api import authn_routes
from okta_ir.simulator.config import SimulatorConfig
from okta_ir.simulator.org import Org
from okta_ir.simulator.scenario import ScenarioFacts
from okta_ir.simulator.server import OrgServer, serve_org
from okta_ir.simulator.state import OrgState

__all__ = ["RunningSimulator", "Simulator"]


class RunningSimulator:
    """A served org: its URL, its state, its log of requests and the ground truth of its events."""

    def __init__(self, org: Org, server: OrgServer, base_url: str) -> None:
        self._org = org
        self._server = server
        self.base_url = base_url

    @property
    def state(self) -> OrgState:
        """Users (id, login, status, factors), groups + members, zones, sessions."""
        return self._org.state

    @property
    def requests_log(self) -> list[tuple[str, str, str, int]]:
        """(method, path, query, status) of the requests served, oldest first (bounded)."""
        return list(self._server.requests_log)

    @property
    def token_url(self) -> str:
        """The org authorization server's token endpoint (the exact ``aud`` for client assertions)."""
        return self.base_url + "/oauth2/v1/token"

    def ground_truth(self) -> Iterator[dict[str, Any]]:
        """Every event the org holds, in persistence order, including events appended live."""
        for text in self._org.store.iter_raw():
            yield json.loads(text)

    def ground_truth_raw(self) -> Iterator[str]:
        """Same as ground_truth() as JSON text (cheaper)."""
        return self._org.store.iter_raw()

    def in_flight(self) -> int:
        """Requests being served right now (what the optional concurrency limit counts)."""
        return self._server.in_flight()

    def event_count(self) -> int:
        """How many events the org holds now."""
        return self._org.store.total()

    def rotate_dpop_nonce(self) -> str:
        """Make the token endpoint issue a new DPoP nonce."""
        return self._server.auth.rotate_nonce()


class Simulator:
    """A simulated Okta org built from ``SimulatorConfig`` (deterministic for a seed)."""

    def __init__(self, config: Optional[SimulatorConfig] = None) -> None:
        self.config = config or SimulatorConfig()
        self.org = Org(self.config)

    def scenario_facts(self) -> ScenarioFacts:
        """The guide scenario's truth: attacker IPs/agent, victim, apps, group/zone ids, protected admin."""
        return self.org.scenario_facts()

    @contextmanager
    def serve(self, port: Optional[int] = None) -> Iterator[RunningSimulator]:
        """Serve the org on 127.0.0.1 (port 0 = any free port) until the block exits."""
        server = OrgServer(self.org)
        server.add_routes(authn_routes(server))
        server.add_routes(admin_routes(server))
        with serve_org(server, "127.0.0.1", self.config.port if port is None else port) as base_url:
            yield RunningSimulator(self.org, server, base_url)
