"""The `okta-ir` dispatcher: every subcommand registers, errors are one line with a non-zero exit."""

from __future__ import annotations

import subprocess
import sys

import pytest
from okta_ir.cli import COMMAND_MODULES, build_parser, main


def test_every_subcommand_is_registered() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    assert sorted(subparsers.choices) == sorted(COMMAND_MODULES)


def test_unknown_subcommand_is_one_line_and_exit_2() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "okta_ir.cli", "frobnicate"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "invalid choice: 'frobnicate'" in lines[0]


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.startswith("okta-ir ")
