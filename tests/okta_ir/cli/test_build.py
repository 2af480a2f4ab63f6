from __future__ import annotations

from pathlib import Path

import pytest
from okta_ir.cli import main

RULE = """
title: Admin Console Access
id: 11111111-1111-4111-8111-111111111111
logsource: {product: okta, service: okta}
detection:
  sel: {eventType: user.session.access_admin_app}
  condition: sel
level: low
"""


def _root(tmp_path: Path) -> Path:
    (tmp_path / "sigma-rules").mkdir()
    (tmp_path / "sigma-rules" / "admin.yml").write_text(RULE)
    return tmp_path


def test_build_writes_then_check_passes_then_detects_drift(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _root(tmp_path)
    assert main(["build", "--root", str(root)]) == 0
    conf = root / "addon/package/default/savedsearches.conf"
    assert "[Okta IR - Admin Console Access]" in conf.read_text()
    assert "[okta_ir_admin_console_access_filter]" in (root / "addon/package/default/macros.conf").read_text()
    assert main(["build", "--root", str(root), "--check"]) == 0
    conf.write_text(conf.read_text().replace("disabled = 1", "disabled = 0"))
    capsys.readouterr()
    assert main(["build", "--root", str(root), "--check"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("okta-ir build: error: generated files differ from their sources: "
                          "addon/package/default/savedsearches.conf")
    assert "disabled = 0" in conf.read_text()  # --check writes nothing


def test_build_without_rules_dir_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["build", "--root", str(tmp_path)]) == 1
    assert capsys.readouterr().err.count("\n") == 1


def test_committed_generated_files_match_their_sources():
    """The drift test: the repository's generated files are what `okta-ir build` makes."""
    assert main(["build", "--check"]) == 0
