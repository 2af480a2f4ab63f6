"""`okta-ir collect`: bad input gives one clear line and a non-zero status; runs against the simulator."""

from __future__ import annotations

from pathlib import Path

import pytest
from okta_ir.cli import main
from okta_ir.cli.collect import resolve_state
from okta_ir.errors import ConfigError

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
