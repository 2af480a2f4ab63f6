"""Fixtures of the detection toolchain's tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture()
def write_rule(tmp_path: Path):
    """Write Sigma YAML to a file in tmp_path and return its path."""

    def _write(text: str, name: str = "rule.yml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write
