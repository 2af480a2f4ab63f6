"""Run an engine's rules in several processes, each with its own connection to the database file.

Every rule reads the same events and writes nothing but its own temp tables, so rules are
independent: worker processes (forked after the rules were converted, so they share them) take one
rule at a time, the heaviest kinds first, and the findings come back in the caller's task order,
exactly as a serial run lists them. Only file databases qualify: a ``:memory:`` database is private
to its connection.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from detections.engine import Finding, HuntEngine

__all__ = ["run_tasks"]

# what forked workers inherit: (engine, tasks); set only while run_tasks runs
_STATE: list[Any] = []


def _open_worker() -> None:
    """Worker initializer: its own connection (the parent's must never be used across a fork)."""
    engine = _STATE[0]
    engine.connection = engine.connect()


def _run_one(index: int) -> list[Finding]:
    engine, tasks = _STATE
    rule, query = tasks[index]
    result: list[Finding] = engine.run_task(rule, query)
    return result


def run_tasks(engine: HuntEngine, tasks: list[tuple[Any, str | None]], workers: int) -> list[list[Finding]]:
    """Findings of each task (``engine.run_task(rule, query)``), in task order, from ``workers`` processes."""
    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - not on Linux
        return [engine.run_task(rule, query) for rule, query in tasks]
    engine.connection.commit()
    # the caller's page cache would be copied into every worker's resident set: hand it back first
    engine.connection.execute("PRAGMA shrink_memory")
    # correlations (query None) first: they are the long tasks, started early they end together
    order = sorted(range(len(tasks)), key=lambda i: tasks[i][1] is not None)
    results: list[list[Finding]] = [[] for _ in tasks]
    _STATE[:] = [engine, tasks]
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_open_worker) as pool:
            for index, found in zip(order, pool.map(_run_one, order)):
                results[index] = found
    finally:
        _STATE.clear()
    return results
