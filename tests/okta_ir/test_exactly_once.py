"""Exactly once, end to end: the real client and collector against the simulator, under faults and kill -9.

The JSONL a collection leaves must hold every event of the simulator's ground truth exactly once
(compared as multisets of uuids, and event by event), whatever failed or was killed on the way.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from okta_ir.cli import main
from okta_ir.simulator import FAULT_KINDS, FaultConfig, Simulator, SimulatorConfig
from okta_ir.simulator.faults import FaultPlan

TOKEN_ENV = "OKTA_IR_EXACTLY_ONCE_TOKEN"


def collect_args(base_url: str, tmp_path: Path, *extra: str) -> list[str]:
    return [
        "collect", "--org-url", base_url, "--token-env", TOKEN_ENV, "--since", "7d",
        "--out", str(tmp_path / "events.jsonl"), "--state", str(tmp_path / "state"), *extra,
    ]  # fmt: skip


def assert_exactly_the_ground_truth(out: Path, running: Any, org: str) -> None:
    events = list(running.ground_truth())
    truth = {event["uuid"]: event for event in events}
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    # every event, exactly once
    assert Counter(event["uuid"] for event in lines) == Counter(event["uuid"] for event in events)
    for event in lines:
        assert event.pop("okta_org") == org
        assert event == truth[event["uuid"]]


def test_a_fault_injected_collection_equals_the_ground_truth_exactly_once(tmp_path, monkeypatch, capsys):
    shares = {kind: 0.06 for kind in FAULT_KINDS}
    # seed 116: the simulator's fault sequence puts >= 5% of each kind in the ~48 requests of 31 pages
    config = SimulatorConfig(
        scenario="guide",
        seed=116,
        events=3000,
        faults=FaultConfig(rates=shares, timeout_seconds=0.3),
        api_tokens=frozenset({"s3cret-token-value"}),
    )
    monkeypatch.setenv(TOKEN_ENV, "s3cret-token-value")
    with Simulator(config).serve() as running:
        status = main(collect_args(running.base_url, tmp_path, "--limit", "100", "--timeout", "2"))
        out, err = capsys.readouterr()
        assert status == 0, err
        log_requests = sum(
            1 for _method, path, _query, _status in running.requests_log if path == "/api/v1/logs"
        )
        plan = FaultPlan(config.faults, config.seed)  # the simulator's own deterministic fault sequence
        injected = Counter(plan.next_fault() for _ in range(log_requests))
        for kind in FAULT_KINDS:  # at least 5% of the requests failed in each kind
            assert injected[kind] >= 0.05 * log_requests, (kind, injected, log_requests)
        assert_exactly_the_ground_truth(tmp_path / "events.jsonl", running, running.base_url.split("//")[1])
    assert "collected 3000 events in" in out and "caught up" in out
    assert "s3cret-token-value" not in out + err
    assert "s3cret-token-value" not in (tmp_path / "state" / os.listdir(tmp_path / "state")[0]).read_text()


def test_kill_9_at_random_points_then_a_clean_finish_loses_and_repeats_nothing(tmp_path):
    """Six SIGKILLs, each when the output passes a seeded random size plus a random few ms (so they land
    while fetching, writing, or between a write and its checkpoint), then a run to completion."""
    config = SimulatorConfig(scenario="guide", seed=5, events=20_000)
    rng = random.Random(20261125)
    env = dict(os.environ, **{TOKEN_ENV: "any-token"})
    out = tmp_path / "events.jsonl"
    with Simulator(config).serve() as running:
        expected_size = sum(len(text) + 30 for text in running.ground_truth_raw())
        thresholds = sorted(rng.uniform(0.05, 0.9) * expected_size for _ in range(6))
        command = [
            sys.executable,
            "-m",
            "okta_ir.cli",
            *collect_args(running.base_url, tmp_path, "--limit", "100"),
        ]
        for threshold in thresholds:
            process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and process.poll() is None:
                if out.exists() and out.stat().st_size >= threshold:
                    break
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.05))
            assert process.poll() is None, "the collector finished before it could be killed"
            process.send_signal(signal.SIGKILL)
            assert process.wait(timeout=30) == -signal.SIGKILL
        state_dir = tmp_path / "state"
        (state_dir / f".{next(state_dir.glob('*.json')).name}.tmp-left-by-a-kill").write_text("{")
        final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert [p.name for p in state_dir.iterdir() if p.name.startswith(".")] == []  # stale temp removed
        assert final.returncode == 0, final.stderr
        assert "caught up" in final.stdout
        assert_exactly_the_ground_truth(out, running, running.base_url.split("//")[1])


def test_a_page_truncated_again_and_again_is_fetched_until_whole(tmp_path, monkeypatch, capsys):
    config = SimulatorConfig(seed=3, events=1500, faults=FaultConfig(rates={"truncated": 0.3}))
    monkeypatch.setenv(TOKEN_ENV, "t")
    with Simulator(config).serve() as running:
        assert main(collect_args(running.base_url, tmp_path, "--limit", "100")) == 0
        assert_exactly_the_ground_truth(tmp_path / "events.jsonl", running, running.base_url.split("//")[1])
    assert "collected 1500 events" in capsys.readouterr().out
