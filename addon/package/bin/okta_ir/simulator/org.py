"""The simulated org: cast, state, System Log and scenario, built from a SimulatorConfig."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from typing import Optional

from okta_ir.errors import ConfigError
from okta_ir.simulator.background import BackgroundTraffic
from okta_ir.simulator.config import SimulatorConfig, parse_iso8601
from okta_ir.simulator.render import format_ms
from okta_ir.simulator.scenario import (
    ATTACK_SECONDS,
    AttackStep,
    ScenarioFacts,
    build_attack,
    cast_for,
    facts_for,
)
from okta_ir.simulator.state import OrgState
from okta_ir.simulator.store import LogStore
from okta_ir.simulator.world import World, build_world

__all__ = ["MIN_GUIDE_EVENTS", "Org"]

MIN_GUIDE_EVENTS = 200
_ATTACK_AT = 0.7  # the intrusion starts at 70 % of the timeline


class Org:
    """Everything the simulated org holds; shared by the HTTP layer and the Python API."""

    def __init__(self, config: SimulatorConfig, now_ms: Optional[int] = None) -> None:
        self.config = config
        now = int(time.time() * 1000) if now_ms is None else now_ms
        end = int(parse_iso8601(config.end).timestamp() * 1000) if config.end else now
        if end > now:
            raise ConfigError(f"end {format_ms(end)} must not be in the future")
        start = int(parse_iso8601(config.start).timestamp() * 1000) if config.start else end - 6 * 3600 * 1000
        if start >= end - 60_000:
            raise ConfigError(
                f"start {format_ms(start)} must be at least a minute before the end {format_ms(end)}"
            )
        now = end
        if config.scenario == "guide" and config.events < MIN_GUIDE_EVENTS:
            raise ConfigError(
                f"the guide scenario needs at least {MIN_GUIDE_EVENTS} events, got {config.events}"
            )
        self.start_ms, self.end_ms = start, now
        self.world: World = build_world(config.seed, config.user_count)
        self.background = BackgroundTraffic(self.world)
        self.cast = cast_for(self.world)
        self.state = OrgState(self.world, start - 400 * 86_400_000, now)
        blocklist = self.state.blocklist_zone_id()
        attack: dict[int, AttackStep] = {}
        if config.scenario == "guide":
            attack = self._place(build_attack(self.world, self.cast, blocklist))
        self.store = LogStore(
            seed=config.seed,
            count=config.events,
            start_ms=start,
            end_ms=now,
            late_fraction=config.late_fraction,
            background=self.background,
            attack=attack,
        )
        first = min(attack) if attack else 0
        last = max(attack) if attack else 0
        self.facts = facts_for(
            self.world,
            self.cast,
            config.scenario,
            blocklist,
            format_ms(self.store.base_ms(first)) if attack else "",
            format_ms(self.store.base_ms(last)) if attack else "",
            len(attack),
        )
        if config.scenario == "guide":
            self._apply_attack_state()
        self.cursor_key = hashlib.sha256(f"okta-ir-sim:{config.org_name}:{config.seed}".encode()).digest()

    def _place(self, steps: list[AttackStep]) -> dict[int, AttackStep]:
        """Map each attack step to the persistence index whose time is nearest its offset."""
        n = self.config.events
        span = self.end_ms - self.start_ms
        scale = min(1.0, 0.25 * span / 1000 / ATTACK_SECONDS)
        t0 = self.start_ms + int(span * _ATTACK_AT)
        out: dict[int, AttackStep] = {}
        prev = -1
        for step in steps:
            target = t0 + int(step.offset * scale * 1000)
            idx = max(prev + 1, -(-((target - self.start_ms) * n) // span))
            if idx >= n:
                raise ConfigError(f"{n} events are too few to hold the guide scenario; use more")
            out[idx] = step
            prev = idx
        return out

    def _apply_attack_state(self) -> None:
        """The state the intrusion left behind: locked users, attacker session, admin group, no MFA."""
        st, w, c = self.state, self.world, self.cast
        victim = w.people[c.compromised_index]
        with st.lock:
            for idx in c.locked:
                st.users[w.people[idx].id].status = "LOCKED_OUT"
            st.users[victim.id].password = c.password
            st.users[victim.id].factors = [
                f for f in st.users[victim.id].factors if f["factorType"] != "push"
            ]
            st.users[victim.id].admin_role = "Super administrator"
            st.groups[w.group_id("Okta Administrators")].members.add(victim.id)
            st.sessions[c.session_id] = {
                "userId": victim.id,
                "ip": c.spray_ip,
                "createdAt": self.facts.attack_start,
            }
            st.api_tokens.append({"id": c.token_id, "name": c.token_name, "userId": victim.id})

    def ground_truth(self) -> Iterator[str]:
        """JSON text of every event the org holds, in persistence order (follows live appends)."""
        return self.store.iter_raw()

    def scenario_facts(self) -> ScenarioFacts:
        """The scenario's truth."""
        return self.facts
