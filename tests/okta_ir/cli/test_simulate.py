"""`okta-ir simulate` as a process: the listening line, serving, the ground-truth dump, signals, bad flags."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from okta_ir.simulator import Simulator, SimulatorConfig

ROOT = Path(__file__).resolve().parents[3]


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "okta_ir.cli", "simulate", *args]


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "addon" / "package" / "bin"), env.get("PYTHONPATH", "")])
    return env


def test_serves_dumps_appends_and_stops_on_sigterm(tmp_path: Path) -> None:
    dump = tmp_path / "truth.jsonl"
    start, end = "2026-11-20T00:00:00Z", "2026-11-20T06:00:00Z"
    proc = subprocess.Popen(
        _cmd(
            "--port",
            "0",
            "--scenario",
            "guide",
            "--seed",
            "5",
            "--events",
            "600",
            "--start",
            start,
            "--end",
            end,
            "--dump",
            str(dump),
            "--api-token",
            "cli-token",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:"), line
        base = line.split()[-1]
        lines = dump.read_text().splitlines()
        assert len(lines) == 600
        expected = Simulator(SimulatorConfig(scenario="guide", seed=5, events=600, start=start, end=end))
        assert lines == list(expected.org.store.iter_raw())
        with httpx.Client(timeout=10) as c:
            page = c.get(base + "/api/v1/logs?limit=3", headers={"Authorization": "SSWS cli-token"})
            assert [e["uuid"] for e in page.json()] == [json.loads(x)["uuid"] for x in lines[:3]]
            assert c.get(base + "/api/v1/logs", headers={"Authorization": "SSWS other"}).status_code == 401
            c.post(base + "/api/v1/authn", json={"username": "ghost@example.com", "password": "x"})
        deadline = time.monotonic() + 5
        while len(dump.read_text().splitlines()) < 601 and time.monotonic() < deadline:
            time.sleep(0.05)
        appended = json.loads(dump.read_text().splitlines()[-1])
        assert appended["outcome"] == {"result": "FAILURE", "reason": "UNKNOWN_USER"}
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--faults", "1.5"], "--faults: 1.5 is not between 0 and 1"),
        (["--fault-kinds", "5xx,lightning"], "lightning"),
        (["--port", "70000"], "not a TCP port"),
        (["--events", "many"], "not a whole number"),
        (["--scenario", "heist"], "invalid choice"),
        (["--oauth-client", "justanid"], "CLIENT_ID=PATH"),
        (["--oauth-client", "c=/nonexistent/key.json"], "cannot read /nonexistent/key.json"),
        (["--events", "10"], "at least 200 events"),
        (["--start", "soon"], "start"),
    ],
)
def test_bad_flags_one_line_exit_2(args: list[str], fragment: str) -> None:
    done = subprocess.run(_cmd(*args), capture_output=True, text=True, env=_env(), timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert fragment in lines[0]


def test_oauth_client_key_file_is_registered(tmp_path: Path) -> None:
    from okta_ir.cli import build_parser
    from okta_ir.cli.simulate import _config

    key = tmp_path / "pub.json"
    key.write_text(json.dumps({"keys": [{"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "BBBB"}]}))
    args = build_parser().parse_args(
        [
            "simulate",
            "--oauth-client",
            f"0oa1={key}",
            "--rate-limit",
            "60",
            "--faults",
            "0.2",
            "--fault-kinds",
            "5xx,reset",
            "--dpop-required",
        ]
    )
    config = _config(args)
    assert config.oauth_clients == {"0oa1": {"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "BBBB"}}
    assert config.rate_limit_per_minute == 60
    assert config.faults.per_kind() == {"5xx": 0.1, "reset": 0.1}
    assert config.dpop_required is True
    assert config.api_tokens is None
