"""The System Log as the org persisted it: generated events by index, plus events appended live.

Index = persistence order. Generated event ``i`` is persisted at ``start + i*span/N`` (ms); most are
published at that instant, a ``late_fraction`` were published 2-120 s earlier (they arrive late), so
published order differs from persistence order. Nothing is held per event: any event is rendered on
demand from (seed, index). Live events (sign-ins, admin actions) get indices after the generated ones.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any, Callable, Optional

from okta_ir.simulator.background import EVENT_STREAM, BackgroundTraffic
from okta_ir.simulator.rand import hash64, uuid_like
from okta_ir.simulator.render import format_ms
from okta_ir.simulator.scenario import AttackStep

__all__ = ["LATE_MAX_MS", "LIVE_STREAM", "LogStore"]

LATE_MAX_MS = 120_000
LATE_MIN_MS = 2_000
_LATE_BLOCK = 1024
_LATE_STREAM = 400
LIVE_STREAM = 401


class LogStore:
    """Random access to every event the org holds, in persistence order."""

    def __init__(
        self,
        *,
        seed: int,
        count: int,
        start_ms: int,
        end_ms: int,
        late_fraction: float,
        background: BackgroundTraffic,
        attack: dict[int, AttackStep],
    ) -> None:
        self.seed = seed
        self.count = count
        self.start_ms = start_ms
        self.end_ms = max(end_ms, start_ms + 1000)
        self.span = self.end_ms - self.start_ms
        self.late_fraction = late_fraction
        self.background = background
        self.attack = attack
        self._live: list[tuple[int, str]] = []  # (ms, json)
        self._live_lock = threading.Lock()
        self._late_cache: dict[int, dict[int, int]] = {}
        self._late_lock = threading.Lock()
        self._listeners: list[Callable[[int, str], None]] = []

    # -- time ------------------------------------------------------------------------------------------
    def total(self) -> int:
        """Number of events persisted so far."""
        return self.count + len(self._live)

    def base_ms(self, i: int) -> int:
        """Persistence time of generated event ``i``."""
        return self.start_ms + (i * self.span) // self.count

    def persist_ms(self, i: int) -> int:
        """Persistence time of any event."""
        if i < self.count:
            return self.base_ms(i)
        return self._live[i - self.count][0]

    def late_delays(self, block: int) -> dict[int, int]:
        """Late events of one block of indices: index -> how many ms before persistence it was published."""
        cached = self._late_cache.get(block)
        if cached is not None:
            return cached
        out: dict[int, int] = {}
        if self.late_fraction > 0:
            lo = block * _LATE_BLOCK
            hi = min(lo + _LATE_BLOCK, self.count)
            size = hi - lo
            expected = size * self.late_fraction
            n = int(expected) + (
                1 if (hash64(self.seed, _LATE_STREAM, block) % 10_000) / 10_000 < expected % 1 else 0
            )
            for k in range(n):
                idx = lo + hash64(self.seed, _LATE_STREAM + 1, block * _LATE_BLOCK + k) % size
                if idx in self.attack:
                    continue
                out[idx] = LATE_MIN_MS + hash64(self.seed, _LATE_STREAM + 2, idx) % (
                    LATE_MAX_MS - LATE_MIN_MS
                )
        with self._late_lock:
            if len(self._late_cache) > 512:
                self._late_cache.clear()
            self._late_cache[block] = out
        return out

    def late_in(self, lo: int, hi: int) -> dict[int, int]:
        """Late events with generated indices in [lo, hi)."""
        out: dict[int, int] = {}
        hi = min(hi, self.count)
        if lo >= hi:
            return out
        for block in range(lo // _LATE_BLOCK, (hi - 1) // _LATE_BLOCK + 1):
            for idx, delay in self.late_delays(block).items():
                if lo <= idx < hi:
                    out[idx] = delay
        return out

    def published_ms(self, i: int) -> int:
        """Publication time of any event."""
        if i >= self.count:
            return self._live[i - self.count][0]
        base = self.base_ms(i)
        delay = self.late_delays(i // _LATE_BLOCK).get(i)
        return max(self.start_ms, base - delay) if delay else base

    def index_at(self, ms: int) -> int:
        """First index persisted at or after ``ms`` (== total() when none)."""
        if ms <= self.start_ms:
            return 0
        if ms <= self.end_ms and self.count:
            i = -(-((ms - self.start_ms) * self.count) // self.span)
            while i > 0 and self.base_ms(i - 1) >= ms:
                i -= 1
            while i < self.count and self.base_ms(i) < ms:
                i += 1
            if i < self.count:
                return i
        live = self._live
        lo, hi = 0, len(live)
        while lo < hi:
            mid = (lo + hi) // 2
            if live[mid][0] < ms:
                lo = mid + 1
            else:
                hi = mid
        return self.count + lo

    # -- content ---------------------------------------------------------------------------------------
    def render(self, i: int) -> str:
        """Event ``i`` as JSON text."""
        if i >= self.count:
            return self._live[i - self.count][1]
        ms = self.published_ms(i)
        step = self.attack.get(i)
        if step is not None:
            return step.render(uuid_like(self.seed, EVENT_STREAM, i), ms)
        return self.background.render(i, ms)

    def event(self, i: int) -> dict[str, Any]:
        """Event ``i`` as a fresh dict."""
        return json.loads(self.render(i))

    def iter_raw(self, start: int = 0, stop: Optional[int] = None) -> Iterator[str]:
        """JSON text of events [start, stop) in persistence order; follows live appends when stop is None."""
        i = start
        while stop is None or i < stop:
            if i >= self.total():
                return
            yield self.render(i)
            i += 1

    # -- live ------------------------------------------------------------------------------------------
    def append(self, build: Callable[[str, int, str], str], now_ms: int) -> tuple[int, str]:
        """Persist a live event; ``build(uuid, ms, published)`` renders it. Returns (index, json)."""
        with self._live_lock:
            index = self.total()
            ms = max(now_ms, self._live[-1][0] if self._live else self.end_ms, self.end_ms)
            text = build(uuid_like(self.seed, LIVE_STREAM, index), ms, format_ms(ms))
            self._live.append((ms, text))
            listeners = list(self._listeners)
        for listener in listeners:
            listener(index, text)
        return index, text

    def add_listener(self, listener: Callable[[int, str], None]) -> None:
        """Call ``listener(index, json)`` after each live append."""
        with self._live_lock:
            self._listeners.append(listener)
