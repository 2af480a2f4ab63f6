"""Deterministic fault injection: the n-th request on a faulted path gets the same fault for a given seed."""

from __future__ import annotations

import itertools
from typing import Optional

from okta_ir.simulator.config import FaultConfig
from okta_ir.simulator.rand import unit

__all__ = ["FaultPlan"]

_FAULT_STREAM = 600


class FaultPlan:
    """Decides, request by request, which fault (if any) to inject."""

    def __init__(self, config: FaultConfig, seed: int) -> None:
        self.config = config
        self._seed = seed
        self._shares = sorted(config.per_kind().items())
        self._counter = itertools.count()

    def applies_to(self, path: str) -> bool:
        """Whether requests on ``path`` can be faulted."""
        return bool(self._shares) and path in self.config.paths

    def next_fault(self) -> Optional[str]:
        """The fault kind for the next request, or None."""
        n = next(self._counter)
        if not self._shares:
            return None
        x = unit(self._seed, _FAULT_STREAM, n)
        acc = 0.0
        for kind, share in self._shares:
            acc += share
            if x < acc:
                return kind
        return None
