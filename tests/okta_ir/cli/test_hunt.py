from __future__ import annotations

import json
from pathlib import Path

import pytest
from okta_ir.cli import main

from tests.detections.okta_events import okta_event

RULES = """
title: Failed Sign-In
id: 11111111-1111-4111-8111-111111111111
name: failed
logsource: {product: okta, service: okta}
detection:
  sel: {eventType: user.session.start, outcome.result: FAILURE}
  condition: sel
level: low
tags: [okta_ir.stage.reconnaissance]
---
title: Spray
id: 22222222-2222-4222-8222-222222222222
correlation: {type: value_count, rules: [failed], group-by: [client.ipAddress], timespan: 10m,
              condition: {field: actor.alternateId, gte: 2}}
level: high
---
title: Admin Console
id: 33333333-3333-4333-8333-333333333333
logsource: {product: okta, service: okta}
detection:
  sel: {eventType: user.session.access_admin_app}
  condition: sel
level: medium
tags: [okta_ir.stage.foothold_escalation]
"""


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path]:
    rules = tmp_path / "rules.yml"
    rules.write_text(RULES)
    events = tmp_path / "events.jsonl"
    rows = [
        okta_event("f1", "2026-03-01T10:00:00Z", result="FAILURE", ip="203.0.113.1", user="a@example.com"),
        okta_event("f2", "2026-03-01T10:01:00Z", result="FAILURE", ip="203.0.113.1", user="b@example.com"),
        okta_event("ok", "2026-03-01T10:02:00Z", ip="203.0.113.1", user="b@example.com", session="S9"),
        okta_event(
            "adm", "2026-03-01T10:03:00Z", "user.session.access_admin_app", user="b@example.com", session="S9"
        ),
    ]
    events.write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n")
    return rules, events


def test_json_output_is_a_list_of_findings(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rules, events = files
    assert main(["hunt", str(events), "--rules", str(rules), "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "okta-ir hunt: 4 events loaded, 1 bad lines skipped (line 5)\n"
    findings = json.loads(captured.out)
    assert [(f["title"], f["kind"], f["stage"], f["event_uuids"], f["group"]) for f in findings] == [
        ("Spray", "correlation", "reconnaissance", ["f1", "f2"], {"client.ipAddress": "203.0.113.1"}),
        ("Admin Console", "event", "foothold_escalation", ["adm"], {}),
    ]
    assert sorted(findings[0]) == [
        "count",
        "event_uuids",
        "first_seen",
        "group",
        "kind",
        "last_seen",
        "level",
        "rule_id",
        "stage",
        "title",
    ]


def test_table_groups_by_stage_with_iocs_and_session(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rules, events = files
    assert main(["hunt", str(events), "--rules", str(rules), "--iocs", "--session", "S9"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "== reconnaissance (1) =="
    assert out[1].split() == [
        "high",
        "correlation",
        "2",
        "2026-03-01T10:00:00.000Z",
        "..",
        "2026-03-01T10:01:00.000Z",
        "Spray",
        "[client.ipAddress=203.0.113.1]",
    ]
    assert out[2] == "== foothold_escalation (1) =="
    assert "  compromised_accounts: -" in out
    assert "== session S9 (2 events) ==" in out
    assert out[-1].endswith("<- Admin Console")


def test_json_with_views_is_an_object(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules, events = files
    db = tmp_path / "kept.db"
    assert (
        main(
            [
                "hunt",
                str(events),
                "--rules",
                str(rules),
                "--format",
                "json",
                "--iocs",
                "--session",
                "S9",
                "--db",
                str(db),
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert sorted(doc) == ["findings", "iocs", "session"]
    assert [t["uuid"] for t in doc["session"]["timeline"]] == ["ok", "adm"]
    assert db.is_file()
    assert main(["hunt", str(events), "--rules", str(rules), "--db", str(db)]) == 1  # never reuses a db


def test_bad_inputs_are_one_line_and_non_zero(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules, _ = files
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_bytes(b"\xff\xfe\x00binary\nnope\n")
    cases = [
        ([str(tmp_path / "missing.jsonl"), "--rules", str(rules)], "does not exist or is not a file"),
        ([str(tmp_path), "--rules", str(rules)], "does not exist or is not a file"),
        ([str(garbage), "--rules", str(rules)], "is an Okta event"),
        ([str(garbage), "--rules", str(tmp_path / "norules")], "not found: pass --rules DIR"),
    ]
    for argv, message in cases:
        capsys.readouterr()
        assert main(["hunt", *argv]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert message in err[-1]
        assert len([line for line in err if line.startswith("okta-ir hunt: error")]) == 1


def test_empty_file_has_no_findings(
    tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rules, _ = files
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert main(["hunt", str(empty), "--rules", str(rules)]) == 0
    assert capsys.readouterr().out == "No findings.\n"
