"""`okta-ir demo` end to end, as a user runs it: collect, hunt, contain, and the attacker locked out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_demo_tells_the_whole_story(tmp_path: Path) -> None:
    out_dir = tmp_path / "demo"
    proc = subprocess.run(
        [sys.executable, "-m", "okta_ir.cli", "demo", "--out-dir", str(out_dir), "--events", "20000"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[-1] == "demo: done"

    collected = [json.loads(line) for line in (out_dir / "okta-system-log.jsonl").read_text().splitlines()]
    uuids = [event["uuid"] for event in collected]
    assert len(uuids) == len(set(uuids)), "an event was delivered twice"
    assert f"[2/5] collected 20000 events to {out_dir / 'okta-system-log.jsonl'}" in proc.stdout

    stages = [line.split(":")[0].strip() for line in lines if line.startswith("      ") and ": Okta " in line]
    assert stages == ["reconnaissance", "initial_compromise", "foothold_escalation", "mission"]

    assert any(line.endswith("success") and "suspend " in line for line in lines)
    assert any(line.endswith("success") and "block_ip" in line for line in lines)
    refusals = [line for line in lines if line.startswith("[5/5]")]
    assert len(refusals) == 2
    assert "(blocked IP): refused (403" in refusals[0]
    assert "(suspended account, clean IP): refused (401 E0000004)" in refusals[1]

    # the resumed collection brought the containment and the refused sign-ins, once each
    after = collected[20000:]
    types = sorted(event["eventType"] for event in after)
    assert "user.lifecycle.suspend" in types
    assert types.count("user.session.start") >= 1
    assert (out_dir / "report.html").stat().st_size > 10_000


def test_demo_rejects_a_non_positive_size(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "okta_ir.cli", "demo", "--out-dir", str(tmp_path), "--events", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "okta-ir demo: error: argument --events: expected a positive number, got 0"
        " (see `okta-ir demo --help`)"
    ]
