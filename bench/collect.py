"""Collector benchmark: `okta-ir collect` against `okta-ir simulate`, each in its own process.

1. Throughput: 1M events, no rate limit -> events/s, peak RSS and CPU seconds per 100k events of the
   collector process (and the simulator's CPU, to see which side is the bottleneck).
2. Rate-limit budget: the simulator enforces 120 requests/min on /api/v1/logs, the collector uses a
   0.5 share for a bounded backfill (SIGTERM after ~3 min) -> the share of the allowed budget
   (60 requests/min) actually used: requests / (60 x minutes), and requests / (60 x windows touched)
   (the client may spend a window's share early, so a run that ends mid-window reads above 1).

Figures only; nothing is asserted. Environment overrides for a quick try: OKTA_IR_BENCH_EVENTS,
OKTA_IR_BENCH_BUDGET_MINUTES.
"""

from __future__ import annotations

import math
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any, Optional

__all__ = ["run"]

TOKEN_ENV = "OKTA_IR_BENCH_TOKEN"
_SUMMARY = re.compile(
    r"collected (?P<events>\d+) events in (?P<pages>\d+) pages \((?P<requests>\d+) requests, "
    r"(?P<retries>\d+) retries.*?\) in (?P<elapsed>[\d.]+) s"
)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "okta_ir.cli", *args]


def _start_simulator(events: int, rate_limit: Optional[int], timeout: float = 600.0) -> tuple[Any, str]:
    """Start `okta-ir simulate` and return (process, base URL) once it listens."""
    args = ["simulate", "--port", "0", "--scenario", "guide", "--seed", "7", "--events", str(events)]
    if rate_limit:
        args += ["--rate-limit", str(rate_limit)]
    process = subprocess.Popen(_cli(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 1.0)
        if ready:
            line = process.stdout.readline()
            match = re.search(r"listening on (http://\S+)", line)
            if match:
                return process, match.group(1)
            if not line:
                break
    process.kill()
    raise RuntimeError(f"the simulator did not start: {process.stderr.read() if process.stderr else ''}")


def _stop(process: Any) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a running process, from /proc (Linux)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _collect(base_url: str, workdir: str, extra: list[str], stop_after: Optional[float]) -> dict[str, Any]:
    """Run one collection in a child process; its wall time, rusage and parsed summary."""
    env = dict(os.environ, **{TOKEN_ENV: "bench-token"})
    out = os.path.join(workdir, "events.jsonl")
    args = ["collect", "--org-url", base_url, "--token-env", TOKEN_ENV, "--since", "7d"]
    args += ["--out", out, "--state", os.path.join(workdir, "state"), *extra]
    started = time.monotonic()
    process = subprocess.Popen(
        _cli(*args), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    if stop_after is not None:
        try:
            process.wait(timeout=stop_after)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGTERM)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stdout = process.stdout.read() if process.stdout else ""
    stderr = process.stderr.read() if process.stderr else ""
    summary = _SUMMARY.search(stdout)
    if process.returncode != 0 or summary is None:
        raise RuntimeError(f"collect failed ({process.returncode}): {stderr.strip() or stdout.strip()}")
    with open(out, "rb") as handle:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "max_rss_mb": usage.ru_maxrss / 1024,
        "lines": lines,
        "bytes": os.path.getsize(out),
        **{key: float(value) for key, value in summary.groupdict().items()},
    }


def _throughput(events: int) -> dict[str, Any]:
    simulator, base_url = _start_simulator(events, rate_limit=None)
    try:
        sim_cpu_before = _cpu_seconds(simulator.pid)
        with tempfile.TemporaryDirectory(prefix="okta-ir-bench-") as workdir:
            result = _collect(base_url, workdir, [], stop_after=None)
        sim_cpu = _cpu_seconds(simulator.pid) - sim_cpu_before
    finally:
        _stop(simulator)
    collected = max(1, int(result["lines"]))
    return {
        "events": collected,
        "events_per_second": round(collected / result["elapsed"]),
        "events_per_second_with_startup": round(collected / result["wall"]),
        "peak_rss_mb": round(result["max_rss_mb"], 1),
        "cpu_seconds_per_100k_events": round(result["cpu"] / collected * 100_000, 2),
        "simulator_cpu_seconds_per_100k_events": round(sim_cpu / collected * 100_000, 2),
        "bytes_per_event": round(result["bytes"] / collected),
        "pages": int(result["pages"]),
        "requests": int(result["requests"]),
    }


def _budget(minutes: float, per_minute: int = 120, share: float = 0.5) -> dict[str, Any]:
    events = int(per_minute * share * minutes * 1000 * 1.5) + 10_000  # never caught up within the run
    simulator, base_url = _start_simulator(events, rate_limit=per_minute)
    try:
        with tempfile.TemporaryDirectory(prefix="okta-ir-bench-") as workdir:
            result = _collect(
                base_url, workdir, ["--follow", "--rate-limit-share", str(share)], stop_after=minutes * 60
            )
    finally:
        _stop(simulator)
    allowed = per_minute * share * result["elapsed"] / 60
    windows = max(1, math.ceil(result["elapsed"] / 60 - 0.01))  # rate-limit windows the run touched
    return {
        "budget_limit_per_minute": per_minute,
        "budget_share": share,
        "budget_run_seconds": round(result["elapsed"], 1),
        "budget_requests": int(result["requests"]),
        "budget_429_or_retries": int(result["retries"]),
        "budget_events": int(result["lines"]),
        "budget_used_of_allowed": round(result["requests"] / allowed, 3),
        "budget_used_of_windows": round(result["requests"] / (per_minute * share * windows), 3),
    }


def run() -> dict[str, Any]:
    """Both measurements; a dict of figures."""
    events = int(os.environ.get("OKTA_IR_BENCH_EVENTS", "1000000"))
    minutes = float(os.environ.get("OKTA_IR_BENCH_BUDGET_MINUTES", "2.95"))  # ~3 whole windows
    figures = _throughput(events)
    figures.update(_budget(minutes))
    return figures


if __name__ == "__main__":  # pragma: no cover
    import json

    print(json.dumps(run(), indent=2))
