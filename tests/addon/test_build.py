"""The app build: ucc-gen + AppInspect (cloud tags, precert) with zero failures and errors, a lean archive."""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERSION = "0.1.0"


@pytest.mark.slow
def test_build_and_appinspect():
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build-app.sh"), VERSION], capture_output=True, timeout=900, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    archive = ROOT / "dist" / f"TA-okta-ir-{VERSION}.tar.gz"
    assert archive.stat().st_size < 15 * 1024 * 1024
    report = json.loads((ROOT / "dist" / f"appinspect-{VERSION}.json").read_text())
    assert report["summary"]["failure"] == 0
    assert report["summary"]["error"] == 0
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "TA-okta-ir/bin/okta_system_log.py" in names
    assert "TA-okta-ir/bin/okta_ir/splunk/modinput.py" in names
    assert "TA-okta-ir/default/collections.conf" in names
    assert "TA-okta-ir/default/transforms.conf" in names
    assert not [n for n in names if "/okta_ir/cli/" in n or "/okta_ir/simulator/" in n]
    assert not [n for n in names if n.endswith(".pyc")]
