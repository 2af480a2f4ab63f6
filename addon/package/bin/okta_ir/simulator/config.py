"""Configuration of the simulated Okta org: what it holds, how it misbehaves, whom it trusts."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

from okta_ir.errors import ConfigError

__all__ = ["FAULT_KINDS", "SCENARIOS", "FaultConfig", "SimulatorConfig", "parse_iso8601"]

FAULT_KINDS = ("5xx", "429", "timeout", "reset", "truncated")
SCENARIOS = ("guide", "background")


def parse_iso8601(text: str) -> _dt.datetime:
    """Parse an ISO-8601 timestamp (``Z`` or offset; date-only allowed) into an aware UTC datetime."""
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        value = _dt.datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"not an ISO-8601 timestamp: {text!r}") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    return value.astimezone(_dt.timezone.utc)


@dataclass(frozen=True)
class FaultConfig:
    """Injected faults on the System Log endpoint.

    ``rate`` is the total share of requests that fail, spread evenly across ``kinds``;
    ``rates`` (kind -> share) overrides it per kind. ``timeout_seconds`` is how long a
    "timeout" fault holds the connection before closing it without an answer.
    """

    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    rates: Optional[Mapping[str, float]] = None
    timeout_seconds: float = 2.0
    paths: tuple[str, ...] = ("/api/v1/logs",)

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ConfigError(f"fault rate must be between 0 and 1, got {self.rate}")
        unknown = [k for k in self.kinds if k not in FAULT_KINDS]
        if unknown or not self.kinds:
            raise ConfigError(
                f"unknown fault kind(s) {', '.join(unknown) or '(none given)'}; use {', '.join(FAULT_KINDS)}"
            )
        for kind, share in (self.rates or {}).items():
            if kind not in FAULT_KINDS:
                raise ConfigError(f"unknown fault kind {kind!r}; use {', '.join(FAULT_KINDS)}")
            if not 0.0 <= share <= 1.0:
                raise ConfigError(f"fault rate for {kind} must be between 0 and 1, got {share}")
        if sum(self.per_kind().values()) > 1.0:
            raise ConfigError("fault rates add up to more than 1")
        if not 0.0 < self.timeout_seconds <= 30.0:
            raise ConfigError(f"timeout_seconds must be in (0, 30], got {self.timeout_seconds}")

    def per_kind(self) -> dict[str, float]:
        """The share of requests failing with each kind."""
        if self.rates is not None:
            return {k: float(v) for k, v in self.rates.items() if v > 0}
        if self.rate <= 0:
            return {}
        return {k: self.rate / len(self.kinds) for k in self.kinds}


MIN_DERIVED_USERS = 400
MAX_USERS = 100_000
EVENTS_PER_USER = 100


@dataclass(frozen=True)
class SimulatorConfig:
    """Everything that defines a simulated org. Same config (and seed) -> same events."""

    scenario: str = "guide"
    seed: int = 7
    events: int = 10_000
    start: Optional[str] = None
    end: Optional[str] = None
    faults: FaultConfig = field(default_factory=FaultConfig)
    rate_limit_per_minute: Optional[int] = None
    rate_limit_window_seconds: float = 60.0
    concurrency_limit: Optional[int] = None
    api_tokens: Optional[frozenset[str]] = field(default=None, repr=False)  # secrets: never in a repr
    oauth_clients: Mapping[str, Any] = field(default_factory=dict)
    dpop_required: bool = False
    late_fraction: float = 0.01
    org_name: str = "simulated-org"
    host: str = "127.0.0.1"
    port: int = 0
    users: Optional[int] = None  # None: sized to the volume (see user_count)
    requests_log_size: int = 10_000

    @property
    def user_count(self) -> int:
        """People in the org: as configured, or one per ~100 generated events (400 to 100,000).

        A fixed head count would give a million-event org thousands of events per person, a density
        no real user has, and per-user correlations would fire on plain background traffic.
        """
        if self.users is not None:
            return self.users
        return max(MIN_DERIVED_USERS, min(MAX_USERS, self.events // EVENTS_PER_USER))

    def __post_init__(self) -> None:
        if self.scenario not in SCENARIOS:
            raise ConfigError(f"unknown scenario {self.scenario!r}; use one of {', '.join(SCENARIOS)}")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ConfigError(f"seed must be a non-negative integer, got {self.seed!r}")
        if not isinstance(self.events, int) or not 0 <= self.events <= 100_000_000:
            raise ConfigError(f"events must be an integer between 0 and 100000000, got {self.events!r}")
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None:
                try:
                    parse_iso8601(value)
                except ValueError as exc:
                    raise ConfigError(f"{name}: {exc}; use e.g. 2026-11-24T00:00:00Z") from None
        if self.rate_limit_per_minute is not None and self.rate_limit_per_minute < 1:
            raise ConfigError(
                f"rate limit must be at least 1 request per window, got {self.rate_limit_per_minute}"
            )
        if not 0 < self.rate_limit_window_seconds <= 3600:
            raise ConfigError(
                f"rate-limit window must be in (0, 3600] s, got {self.rate_limit_window_seconds}"
            )
        if self.concurrency_limit is not None and self.concurrency_limit < 1:
            raise ConfigError(f"concurrency limit must be at least 1, got {self.concurrency_limit}")
        if not 0.0 <= self.late_fraction <= 0.5:
            raise ConfigError(f"late_fraction must be between 0 and 0.5, got {self.late_fraction}")
        if self.users is not None and not 20 <= self.users <= MAX_USERS:
            raise ConfigError(f"users must be between 20 and {MAX_USERS}, got {self.users}")
        if not self.org_name or not self.org_name.replace("-", "").isalnum():
            raise ConfigError(f"org_name must be letters, digits and dashes, got {self.org_name!r}")
        if self.host not in ("127.0.0.1", "localhost"):
            raise ConfigError(f"the simulator binds 127.0.0.1 only, got host {self.host!r}")
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"port must be 0..65535, got {self.port}")
        if self.api_tokens is not None:
            tokens = frozenset(self.api_tokens)
            if not tokens or any(not t for t in tokens):
                raise ConfigError("api_tokens must be non-empty strings (or None to accept any token)")
            object.__setattr__(self, "api_tokens", tokens)
        for client_id, spec in self.oauth_clients.items():
            _check_client(client_id, spec)


def _check_client(client_id: str, spec: Any) -> None:
    """Accept either a bare public JWK or ``{"jwk": {...}, "scopes": [...]}``."""
    if not isinstance(spec, Mapping):
        raise ConfigError(f"oauth client {client_id!r}: expected a JWK object")
    jwk = spec.get("jwk", spec)
    if not isinstance(jwk, Mapping) or jwk.get("kty") not in ("RSA", "EC"):
        raise ConfigError(f"oauth client {client_id!r}: the public key must be an RSA or EC JWK")
    if jwk.get("kty") == "RSA" and not (jwk.get("n") and jwk.get("e")):
        raise ConfigError(f"oauth client {client_id!r}: RSA JWK needs n and e")
    if jwk.get("kty") == "EC" and not (jwk.get("crv") == "P-256" and jwk.get("x") and jwk.get("y")):
        raise ConfigError(f"oauth client {client_id!r}: EC JWK must be P-256 with x and y")
    if "d" in jwk or "p" in jwk:
        raise ConfigError(
            f"oauth client {client_id!r}: register the PUBLIC key only (the JWK holds private parts)"
        )
