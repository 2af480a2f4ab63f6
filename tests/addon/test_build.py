"""The app build: ucc-gen + AppInspect (cloud tags, precert) with zero failures and errors, a lean archive."""

from __future__ import annotations

import json
import os
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


def _python39():
    """A Python 3.9 interpreter (Splunk 9.x's), if this machine has one."""
    import glob
    import shutil

    found = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.9*/bin/python3.9")))
    return found[-1] if found else shutil.which("python3.9")


@pytest.mark.slow
def test_built_app_runs_on_python_39():
    app = ROOT / "output" / "TA-okta-ir"
    python39 = _python39()
    if python39 is None or not (app / "lib").is_dir():
        pytest.skip("needs a Python 3.9 interpreter and the built app (test_build_and_appinspect)")
    code = (
        "import sys; sys.path[:0] = [sys.argv[1] + '/lib', sys.argv[1] + '/bin']\n"
        "import okta_ir.splunk.modinput, okta_ir.okta.client, okta_ir.okta.system_log\n"
        "import okta_ir.splunk.kvstore, okta_ir.splunk.credentials, okta_ir.splunk.xmlstream\n"
        "import okta_ir.splunk.account_check, okta_ir.okta.containment\n"
        "print(sys.version_info[:2])"
    )
    result = subprocess.run([python39, "-c", code, str(app)], capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert result.stdout.strip() == b"(3, 9)"
    scheme = subprocess.run([python39, str(app / "bin" / "okta_system_log.py"), "--scheme"],
                            capture_output=True, timeout=60)
    assert scheme.returncode == 0 and scheme.stdout.startswith(b"<scheme>")
