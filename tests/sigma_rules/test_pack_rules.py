"""Every rule of the pack fires exactly on its match events and never on its near misses."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sigma.correlations import SigmaCorrelationRule
from sigma.rule import SigmaRule
from sigma_pack import (
    RULES_DIR,
    STAGE_DIRS,
    STAGES,
    actual_outcomes,
    companion,
    expected_outcomes,
    read_expect,
    read_jsonl,
    rule_files,
)

from detections.engine import HuntEngine
from detections.rules import load_rules, stage

RULES = rule_files()
IDS = [str(p.relative_to(RULES_DIR)) for p in RULES]


def _run(rule_file: Path, events: list[dict[str, Any]]) -> list[Any]:
    engine = HuntEngine()
    try:
        engine.load_events(events)
        assert engine.report.loaded == len(events)
        return engine.run(load_rules(rule_file))
    finally:
        engine.close()


def _output_rules(rule_file: Path) -> list[Any]:
    return list(load_rules(rule_file).get_output_rules())


def test_the_pack_covers_every_stage_directory() -> None:
    assert {p.parent.name for p in RULES} == set(STAGE_DIRS)
    assert len(RULES) >= 29
    kept = {".yml", ".jsonl", ".json"}
    files = [p for p in RULES_DIR.rglob("*") if p.is_file()]
    stray = [p.name for p in files if p.suffix not in kept and p.name != "README.md"]
    assert stray == []


@pytest.mark.parametrize("rule_file", RULES, ids=IDS)
def test_rule_has_its_test_files(rule_file: Path) -> None:
    for suffix in ("match.jsonl", "nomatch.jsonl", "expect.json"):
        assert companion(rule_file, suffix).is_file(), f"{rule_file.name}: missing {suffix}"
    assert read_jsonl(companion(rule_file, "match.jsonl")), "match file is empty"
    assert read_jsonl(companion(rule_file, "nomatch.jsonl")), "nomatch file is empty"
    expect = read_expect(rule_file)
    assert set(expect) == {"match", "nomatch"}
    assert expect["match"], "a rule must be expected to fire on its match file"
    assert expect["nomatch"] == []


def test_no_orphan_test_files() -> None:
    rules = {p.with_suffix("") for p in RULES}
    for data in list(RULES_DIR.rglob("*.jsonl")) + list(RULES_DIR.rglob("*.expect.json")):
        stem = data.name.split(".", 1)[0]
        assert data.with_name(stem) in rules, f"{data.name} has no rule beside it"


@pytest.mark.parametrize("rule_file", RULES, ids=IDS)
def test_rule_fires_exactly_on_its_match_events(rule_file: Path) -> None:
    events = read_jsonl(companion(rule_file, "match.jsonl"))
    findings = _run(rule_file, events)
    expected = expected_outcomes(read_expect(rule_file)["match"])
    assert actual_outcomes(findings) == expected
    # every match event is evidence of a finding: the match file holds nothing that does not fire
    fired = {u for f in findings for u in f.event_uuids}
    assert fired == {e["uuid"] for e in events}
    for finding in findings:
        assert finding.count == len(finding.event_uuids)
        assert finding.first_seen is not None and finding.first_seen <= (finding.last_seen or "")


@pytest.mark.parametrize("rule_file", RULES, ids=IDS)
def test_rule_stays_silent_on_its_near_misses(rule_file: Path) -> None:
    events = read_jsonl(companion(rule_file, "nomatch.jsonl"))
    assert _run(rule_file, events) == []


@pytest.mark.parametrize("rule_file", RULES, ids=IDS)
def test_expected_rule_ids_are_the_files_output_rules(rule_file: Path) -> None:
    outputs = {str(r.id) for r in _output_rules(rule_file)}
    named = {e["rule_id"] for e in read_expect(rule_file)["match"]}
    assert named == outputs


@pytest.mark.parametrize("rule_file", RULES, ids=IDS)
def test_match_events_are_full_shape_okta_events(rule_file: Path) -> None:
    for suffix in ("match.jsonl", "nomatch.jsonl"):
        for event in read_jsonl(companion(rule_file, suffix)):
            assert {"uuid", "published", "eventType", "actor", "client", "outcome", "target",
                    "authenticationContext", "securityContext", "debugContext", "displayMessage",
                    "severity", "transaction", "request"} <= set(event), event["uuid"]
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", event["published"])
            assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", event["uuid"])


def test_event_uuids_are_unique_across_the_pack() -> None:
    seen: dict[str, str] = {}
    for rule_file in RULES:
        for suffix in ("match.jsonl", "nomatch.jsonl"):
            for event in read_jsonl(companion(rule_file, suffix)):
                uuid = event["uuid"]
                assert uuid not in seen, f"{uuid} in {rule_file.name} and {seen.get(uuid)}"
                seen[uuid] = rule_file.name


@pytest.mark.parametrize("rule_file", RULES, ids=IDS)
def test_rule_metadata(rule_file: Path) -> None:
    documents = list(yaml.safe_load_all(rule_file.read_text(encoding="utf-8")))
    for doc in documents:
        for key in ("title", "id", "name", "status", "description", "references", "author", "date", "level",
                    "falsepositives"):
            assert doc.get(key), f"{rule_file.name}: {doc.get('title')!r} lacks {key}"
        assert doc["author"] == "okta-ir"
        assert doc["status"] in ("stable", "test")
        if "correlation" not in doc:
            assert doc["logsource"] == {"product": "okta", "service": "okta"}
    outputs = _output_rules(rule_file)
    assert len(outputs) == 1, "one alerting rule per file"
    [rule] = outputs
    # the file is named after its alerting rule: okta_x.yml holds okta_ir_x
    assert rule.name == "okta_ir_" + rule_file.stem[len("okta_"):]
    tags = [f"{t.namespace}.{t.name}" for t in rule.tags]
    stages = [t for t in tags if t.startswith("okta_ir.stage.")]
    assert len(stages) == 1 and stage(rule) in STAGES
    wanted = STAGE_DIRS[rule_file.parent.name]
    assert wanted is None or stage(rule) == wanted
    assert any(re.fullmatch(r"attack\.t\d{4}(\.\d{3})?", t) for t in tags), "needs an ATT&CK technique"
    assert any(re.fullmatch(r"attack\.[a-z]+(-[a-z]+)*", t) for t in tags), "needs an ATT&CK tactic"
    assert rule.level is not None and rule.level.name.lower() in ("low", "medium", "high", "critical")
    if isinstance(rule, SigmaCorrelationRule):
        assert rule.timespan is not None and rule.group_by
    else:
        assert isinstance(rule, SigmaRule)


def test_ids_names_and_titles_are_unique_across_the_pack() -> None:
    collection = load_rules(RULES_DIR)
    ids = [str(r.id) for r in collection.rules]
    names = [r.name for r in collection.rules]
    titles = [r.title for r in collection.rules]
    assert len(set(ids)) == len(ids)
    assert len(set(names)) == len(names)
    assert len(set(titles)) == len(titles)


def test_readme_table_lists_every_rule_with_its_title() -> None:
    readme = (RULES_DIR / "README.md").read_text(encoding="utf-8")
    for rule_file in RULES:
        [rule] = _output_rules(rule_file)
        assert f"| `{rule_file.stem}` | {rule.title} |" in readme, rule_file.name


CORRELATIONS = [p for p in RULES if "\ncorrelation:\n" in p.read_text(encoding="utf-8")]


@pytest.mark.parametrize("rule_file", CORRELATIONS, ids=[p.name for p in CORRELATIONS])
def test_correlation_match_burst_straddles_a_window_bucket_boundary(rule_file: Path) -> None:
    """Fixed buckets of the rule's timespan would split the burst: only a sliding window catches it."""
    [rule] = _output_rules(rule_file)
    assert isinstance(rule, SigmaCorrelationRule) and rule.timespan is not None
    span = rule.timespan.seconds
    times = [datetime.fromisoformat(e["published"].replace("Z", "+00:00")).timestamp()
             for e in read_jsonl(companion(rule_file, "match.jsonl"))]
    assert max(times) - min(times) < 2 * span
    assert int(min(times) // span) != int(max(times) // span)
