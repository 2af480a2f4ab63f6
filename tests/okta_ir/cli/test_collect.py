"""`okta-ir collect`: bad input gives one clear line and a non-zero status; runs against the simulator."""

from __future__ import annotations

import json
import os
import pty
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from okta_ir.cli import main
from okta_ir.cli.collect import resolve_state
from okta_ir.errors import ConfigError
from okta_ir.simulator import Simulator, SimulatorConfig

DEAD_ORG = "http://127.0.0.1:9"  # never contacted: every case below fails before the first request


def base_args(tmp_path: Path) -> list:
    return [
        "collect",
        "--org-url",
        DEAD_ORG,
        "--token-env",
        "OKTA_IR_TEST_TOKEN",
        "--out",
        str(tmp_path / "out.jsonl"),
        "--state",
        str(tmp_path / "state"),
    ]


# (name, flags removed from the base command, arguments added, expected text of the one error line)
BAD = [
    ("malformed org URL", [], ["--org-url", "ftp://acme.okta.com"], "must use https://"),
    ("org URL with path", [], ["--org-url", "https://acme.okta.com/admin"], "must not have a path"),
    (
        "unset token env",
        [],
        ["--token-env", "OKTA_IR_UNSET_VAR"],
        "environment variable OKTA_IR_UNSET_VAR is not set",
    ),
    (
        "unreadable key",
        ["--token-env"],
        ["--oauth-client-id", "0oa1", "--private-key", "/nonexistent/k.pem"],
        "private key file '/nonexistent/k.pem' not found",
    ),
    ("oauth without key", ["--token-env"], ["--oauth-client-id", "0oa1"], "needs --private-key"),
    ("bad since", [], ["--since", "yesterday"], "neither ISO-8601"),
    ("since too old", [], ["--since", "200d"], "more than 180 days back"),
    ("until before since", [], ["--since", "2h", "--until", "3h"], "is not after since"),
    ("max-events with follow", [], ["--max-events", "5", "--follow"], "not allowed with argument"),
    ("follow with until", [], ["--follow", "--until", "1h"], "cannot be combined with --until"),
    ("zero max-events", [], ["--max-events", "0"], "--max-events must be at least 1"),
    ("non-numeric max-events", [], ["--max-events", "many"], "invalid int value"),
    (
        "share above 1",
        [],
        ["--rate-limit-share", "1.5"],
        "rate_limit_share must be greater than 0 and at most 1",
    ),
    ("zero timeout", [], ["--timeout", "0"], "--timeout must be a positive number"),
    ("page limit", [], ["--limit", "5000"], "limit must be between 1 and 1000"),
    ("out in a missing dir", [], ["--out", "/nonexistent/dir/out.jsonl"], "cannot open output file"),
    ("both credentials", [], ["--oauth-client-id", "0oa1"], "not allowed with argument --token-env"),
    ("missing --out", ["--out"], [], "the following arguments are required: --out"),
]


def command(tmp_path: Path, removed: list, added: list) -> list:
    args = base_args(tmp_path)
    for flag in removed:
        index = args.index(flag)
        del args[index : index + 2]
    return args + added


@pytest.mark.parametrize(("name", "removed", "added", "message"), BAD, ids=[case[0] for case in BAD])
def test_bad_input_is_one_line_and_non_zero(tmp_path, capsys, monkeypatch, name, removed, added, message):
    monkeypatch.setenv("OKTA_IR_TEST_TOKEN", "00abc-test-token")
    monkeypatch.delenv("OKTA_IR_UNSET_VAR", raising=False)
    try:
        status = main(command(tmp_path, removed, added))
    except SystemExit as exc:  # argparse errors
        status = exc.code
    err = capsys.readouterr().err
    assert status != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("okta-ir collect: error: ")
    assert message in lines[0]
    assert "00abc-test-token" not in err
    assert not (tmp_path / "out.jsonl").exists() or (tmp_path / "out.jsonl").stat().st_size == 0


def test_state_is_a_directory_or_a_json_file(tmp_path):
    store, key = resolve_state(str(tmp_path / "st"), "127.0.0.1:8080")
    assert (store.directory, key) == (str(tmp_path / "st"), "collect-127.0.0.1_8080")
    store, key = resolve_state(str(tmp_path / "ck.json"), "acme.okta.com")
    assert (store.directory, key) == (str(tmp_path), "ck")
    (tmp_path / "plain").write_text("x")
    with pytest.raises(ConfigError, match=r"is a file, not a \.json checkpoint"):
        resolve_state(str(tmp_path / "plain"), "acme.okta.com")
    with pytest.raises(ConfigError, match="may only use letters"):
        resolve_state(str(tmp_path / "my state.json"), "acme.okta.com")


TOKEN_ENV = "OKTA_IR_COLLECT_TOKEN"


def sim_args(base_url: str, tmp_path: Path, *extra: str) -> list:
    return [
        "collect", "--org-url", base_url, "--token-env", TOKEN_ENV,
        "--out", str(tmp_path / "events.jsonl"), "--state", str(tmp_path / "state.json"), *extra,
    ]  # fmt: skip


def uuids_in(path: Path) -> list:
    return [json.loads(line)["uuid"] for line in path.read_text(encoding="utf-8").splitlines()]


def truth_uuids(running) -> list:
    return [event["uuid"] for event in running.ground_truth()]


def test_max_events_then_the_rest(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(TOKEN_ENV, "t")
    with Simulator(SimulatorConfig(seed=2, events=2500)).serve() as running:
        assert main(sim_args(running.base_url, tmp_path, "--since", "7d", "--max-events", "1234")) == 0
        first = capsys.readouterr()
        assert main(sim_args(running.base_url, tmp_path, "--since", "7d")) == 0
        second = capsys.readouterr()
        assert uuids_in(tmp_path / "events.jsonl") == truth_uuids(running)
    assert first.out.startswith("collected 1234 events in 2 pages") and "--max-events reached" in first.out
    assert second.out.startswith("collected 1266 events in") and "caught up" in second.out
    assert first.err == second.err == ""  # no progress line when stderr is not a terminal
    saved = json.loads((tmp_path / "state.json").read_text())
    assert saved["extra"] == {} and saved["until"] is None and len(saved["boundary_uuids"]) == 2000


def test_bounded_export_completes_once(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(TOKEN_ENV, "t")
    with Simulator(SimulatorConfig(seed=4, events=1800)).serve() as running:
        window = ["--since", "7d", "--until", "2099-01-01T00:00:00Z", "--limit", "500"]
        assert main(sim_args(running.base_url, tmp_path, *window)) == 0
        first = capsys.readouterr().out
        assert main(sim_args(running.base_url, tmp_path, *window)) == 0
        second = capsys.readouterr().out
        assert sorted(uuids_in(tmp_path / "events.jsonl")) == sorted(truth_uuids(running))
    assert first.startswith("collected 1800 events in") and first.rstrip().endswith("export complete")
    assert second.startswith("collected 0 events in 0 pages") and second.rstrip().endswith("export complete")


def test_sigterm_stops_after_the_page_and_follow_paces_until_sigterm(tmp_path):
    env = dict(os.environ, **{TOKEN_ENV: "t"})
    out = tmp_path / "events.jsonl"
    with Simulator(SimulatorConfig(seed=6, events=6000)).serve() as running:
        command = [
            sys.executable,
            "-m",
            "okta_ir.cli",
            *sim_args(running.base_url, tmp_path, "--since", "7d"),
        ]
        command += ["--limit", "100", "--follow", "--poll-interval", "0.3"]
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (out.exists() and out.stat().st_size > 1_000_000):
            time.sleep(0.01)
        process.send_signal(signal.SIGTERM)  # mid-collection
        stdout, stderr = process.communicate(timeout=30)
        assert process.returncode == 0, stderr
        assert "stopped by signal" in stdout
        saved = json.loads((tmp_path / "state.json").read_text())
        assert saved["extra"] == {}  # stopped between pages: no write in flight
        partial = uuids_in(out)
        assert 0 < len(partial) < 6000 and len(partial) % 100 == 0
        assert partial == truth_uuids(running)[: len(partial)]

        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        while time.monotonic() < deadline and out.read_bytes().count(b"\n") < 6000:
            time.sleep(0.05)
        time.sleep(1.0)  # caught up: a few paced empty polls
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
        assert process.returncode == 0, stderr
        assert "stopped by signal" in stdout
        assert uuids_in(out) == truth_uuids(running)
        polls = [q for _m, path, q, _s in running.requests_log if path == "/api/v1/logs"]
        empty_polls = len(polls) - 6000 // 100 - 1
        assert 1 <= empty_polls <= 8  # ~1 s at one poll per 0.3 s: paced, not hammering


def test_progress_line_on_a_terminal(tmp_path):
    env = dict(os.environ, **{TOKEN_ENV: "t"})
    with Simulator(SimulatorConfig(seed=8, events=3000)).serve() as running:
        master, slave = pty.openpty()
        command = [
            sys.executable,
            "-m",
            "okta_ir.cli",
            *sim_args(running.base_url, tmp_path, "--since", "7d"),
        ]
        process = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=slave, timeout=60)
        os.close(slave)
        shown = os.read(master, 65536).decode()
        os.close(master)
    assert process.returncode == 0
    assert re.search(r"\r[\d,]+ events  [\d,]+ ev/s  \d+ pages  0 retries", shown), shown
    assert process.stdout.decode().startswith("collected 3000 events")


def test_sigterm_during_a_rate_limit_pause_exits_at_once(tmp_path):
    env = dict(os.environ, **{TOKEN_ENV: "t"})
    out = tmp_path / "events.jsonl"
    config = SimulatorConfig(seed=9, events=3000, rate_limit_per_minute=2)  # share 0.5: one request a minute
    with Simulator(config).serve() as running:
        command = [
            sys.executable,
            "-m",
            "okta_ir.cli",
            *sim_args(running.base_url, tmp_path, "--since", "7d"),
        ]
        process = subprocess.Popen([*command, "--limit", "100", "-v"], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (out.exists() and out.stat().st_size > 0):
            time.sleep(0.02)
        time.sleep(0.5)  # now pausing for the next rate-limit window (~60 s)
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
        assert time.monotonic() - signalled < 5
        assert process.returncode == 0, stderr
        assert "pausing" in stderr and "stopped by signal" in stdout
        assert uuids_in(out) == truth_uuids(running)[:100]
        assert json.loads((tmp_path / "state.json").read_text())["extra"] == {}


def test_oauth_service_app_with_dpop_collects_and_keeps_the_key_out_of_everything(tmp_path, capsys):
    from okta_ir.okta.keys import generate_ec_key

    key = generate_ec_key()
    key_file = tmp_path / "app-key.jwk.json"
    key_file.write_text(json.dumps(key.private_jwk()))
    config = SimulatorConfig(
        seed=10,
        events=1200,
        oauth_clients={"0oa-collector": {"jwk": key.public_jwk(), "scopes": ["okta.logs.read"]}},
        dpop_required=True,
    )
    with Simulator(config).serve() as running:
        args = ["collect", "--org-url", running.base_url, "--oauth-client-id", "0oa-collector",
                "--private-key", str(key_file), "--since", "7d",
                "--out", str(tmp_path / "events.jsonl"), "--state", str(tmp_path / "state")]  # fmt: skip
        status = main(args)
        out, err = capsys.readouterr()
        assert status == 0, err
        assert uuids_in(tmp_path / "events.jsonl") == truth_uuids(running)
    assert out.startswith("collected 1200 events")
    secret = key.private_jwk()["d"]
    state = next((tmp_path / "state").iterdir()).read_text()
    assert secret not in out + err + state + (tmp_path / "events.jsonl").read_text()
