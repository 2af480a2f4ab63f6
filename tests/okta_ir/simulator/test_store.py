"""The System Log store: timeline, late events, live appends, and memory that does not grow with size."""

from __future__ import annotations

import json
import time
import tracemalloc

from okta_ir.simulator import Simulator, SimulatorConfig


def test_late_fraction_and_published_order() -> None:
    store = Simulator(SimulatorConfig(scenario="background", seed=3, events=100_000)).org.store
    late = [i for i in range(store.count) if store.published_ms(i) != store.persist_ms(i)]
    assert 800 <= len(late) <= 1200
    assert all(0 < store.persist_ms(i) - store.published_ms(i) <= 120_000 for i in late)
    assert json.loads(store.render(late[0]))["published"] < json.loads(store.render(late[0] - 1))["published"]
    none = Simulator(SimulatorConfig(scenario="background", seed=3, events=5000, late_fraction=0.0)).org.store
    assert all(none.published_ms(i) == none.persist_ms(i) for i in range(5000))


def test_index_at_is_the_first_persisted_at_or_after() -> None:
    store = Simulator(SimulatorConfig(scenario="background", seed=3, events=7_777)).org.store
    for i in (0, 1, 2, 500, 7_000, 7_776):
        ms = store.persist_ms(i)
        j = store.index_at(ms)
        assert store.persist_ms(j) >= ms and (j == 0 or store.persist_ms(j - 1) < ms)
    assert store.index_at(store.end_ms + 1) == store.total()


def test_live_appends_follow_generated_events_and_notify() -> None:
    store = Simulator(SimulatorConfig(scenario="background", seed=3, events=100)).org.store
    seen: list[int] = []
    store.add_listener(lambda index, text: seen.append(index))
    index, text = store.append(
        lambda uuid, ms, published: json.dumps({"uuid": uuid, "published": published}),
        int(time.time() * 1000),
    )
    assert (index, seen, store.total()) == (100, [100], 101)
    assert store.render(100) == text
    assert store.persist_ms(100) >= store.persist_ms(99)
    assert list(store.iter_raw(99))[-1] == text


def test_a_million_events_stream_in_constant_memory() -> None:
    tracemalloc.start()
    try:
        # a fixed head count: this is about the events, which must not be held in memory
        sim = Simulator(SimulatorConfig(scenario="guide", seed=1, events=1_000_000, users=400))
        store = sim.org.store
        n = 0
        for text in store.iter_raw(998_000, 1_000_000):  # the very end, without touching what is before
            n += len(text) > 0
        for text in store.iter_raw(0, 3_000):
            n += len(text) > 0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert n == 5_000
    assert peak < 40 * 1024 * 1024, peak
    assert store.total() == 1_000_000
