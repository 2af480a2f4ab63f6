from __future__ import annotations

import json
from pathlib import Path

import pytest

from detections.engine import HuntEngine
from detections.errors import HuntInputError, RuleConversionError, UnknownFieldError
from detections.rules import load_rules
from tests.detections.okta_events import REFERENCE, okta_event

BASE = """
title: Failed sign-in
id: 11111111-1111-4111-8111-111111111111
name: failed_signin
logsource: {product: okta, service: okta}
detection:
  sel:
    eventType: user.session.start
    outcome.result: FAILURE
  condition: sel
level: low
tags: [attack.t1110, okta_ir.stage.reconnaissance]
"""


def _rules(write_rule, text):
    return load_rules(write_rule(text))


def test_single_event_rule_one_finding_with_every_matched_event(write_rule):
    rules = _rules(write_rule, BASE)
    engine = HuntEngine()
    report = engine.load_events([
        okta_event("a", "2026-03-01T10:00:02.000Z", result="FAILURE"),
        okta_event("b", "2026-03-01T10:00:01.000Z", result="failure"),  # case-insensitive
        okta_event("c", "2026-03-01T10:00:03.000Z", result="SUCCESS"),
    ])
    assert report.loaded == 3
    [finding] = engine.run(rules)
    assert finding.to_dict() == {
        "rule_id": "11111111-1111-4111-8111-111111111111", "title": "Failed sign-in", "level": "low",
        "stage": "reconnaissance", "kind": "event", "event_uuids": ["b", "a"], "group": {},
        "first_seen": "2026-03-01T10:00:01.000Z", "last_seen": "2026-03-01T10:00:02.000Z", "count": 2,
    }


def test_event_count_window_slides_across_a_minute_boundary(write_rule):
    rules = _rules(write_rule, BASE + """---
title: Burst
id: 22222222-2222-4222-8222-222222222222
correlation:
  type: event_count
  rules: [failed_signin]
  group-by: [client.ipAddress]
  timespan: 1m
  condition: {gte: 3}
level: high
""")
    engine = HuntEngine()
    # 3 failures within 40 s but across 10:00/10:01 (a fixed 1-minute bin would split them 1+2)
    engine.load_events([
        okta_event("x1", "2026-03-01T10:00:50.000Z", result="FAILURE", ip="203.0.113.9"),
        okta_event("x2", "2026-03-01T10:01:10.000Z", result="FAILURE", ip="203.0.113.9"),
        okta_event("x3", "2026-03-01T10:01:30.000Z", result="FAILURE", ip="203.0.113.9"),
        # same count spread over 3 minutes: no finding
        okta_event("y1", "2026-03-01T11:00:00.000Z", result="FAILURE", ip="203.0.113.10"),
        okta_event("y2", "2026-03-01T11:01:30.000Z", result="FAILURE", ip="203.0.113.10"),
        okta_event("y3", "2026-03-01T11:03:00.000Z", result="FAILURE", ip="203.0.113.10"),
    ])
    [finding] = engine.run(rules)
    got = (finding.kind, finding.title, finding.stage, finding.group, finding.event_uuids, finding.count)
    assert got == ("correlation", "Burst", "reconnaissance", {"client.ipAddress": "203.0.113.9"},
                   ["x1", "x2", "x3"], 3)
    assert (finding.first_seen, finding.last_seen) == ("2026-03-01T10:00:50.000Z", "2026-03-01T10:01:30.000Z")


def test_value_count_threshold_is_gte_and_counts_distinct_users(write_rule):
    rules = _rules(write_rule, BASE + """---
title: Spray
id: 33333333-3333-4333-8333-333333333333
correlation:
  type: value_count
  rules: [failed_signin]
  group-by: [client.ipAddress]
  timespan: 10m
  condition: {field: actor.alternateId, gte: 3}
level: high
""")
    engine = HuntEngine()
    events = [okta_event(f"s{i}", f"2026-03-01T10:0{i}:00.000Z", result="FAILURE", ip="192.0.2.1",
                         user=f"user{i % 3}@example.com") for i in range(5)]
    events += [okta_event(f"t{i}", f"2026-03-01T10:0{i}:00.000Z", result="FAILURE", ip="192.0.2.2",
                          user=f"user{i % 2}@example.com") for i in range(5)]
    engine.load_events(events)
    [finding] = engine.run(rules)
    assert finding.group == {"client.ipAddress": "192.0.2.1"}
    assert finding.event_uuids == ["s0", "s1", "s2", "s3", "s4"]


def test_array_members_match_any_element_and_not_means_no_element(write_rule):
    rules = _rules(write_rule, """
title: Console app
id: 44444444-4444-4444-8444-444444444444
logsource: {product: okta, service: okta}
detection:
  sel:
    target.displayName|contains: admin console
  bad:
    request.ipChain.geographicalContext.country: Russia
  condition: sel and not bad
level: medium
""")
    engine = HuntEngine()
    app = {"type": "AppInstance", "displayName": "Okta Admin Console"}
    user = {"type": "User", "displayName": "Alice"}
    engine.load_events([
        okta_event("second", "2026-03-01T10:00:00Z", targets=[user, app]),
        okta_event("none", "2026-03-01T10:00:01Z", targets=[user]),
        okta_event("ru", "2026-03-01T10:00:02Z", targets=[app], country="Russia"),
        okta_event("notarray", "2026-03-01T10:00:03Z", targets="Okta Admin Console"),  # type: ignore[arg-type]
    ])
    [finding] = engine.run(rules)
    assert finding.event_uuids == ["second"]


def test_value_count_over_an_array_member_counts_every_element(write_rule):
    rules = _rules(write_rule, """
title: SSO
id: 55555555-5555-4555-8555-555555555555
name: sso
logsource: {product: okta, service: okta}
detection:
  sel: {eventType: user.authentication.sso}
  condition: sel
---
title: Many apps
id: 66666666-6666-4666-8666-666666666666
correlation:
  type: value_count
  rules: [sso]
  group-by: [authenticationContext.externalSessionId]
  timespan: 30m
  condition: {field: target.displayName, gt: 3}
""")
    engine = HuntEngine()
    engine.load_events([
        okta_event(f"e{i}", f"2026-03-01T10:0{i}:00Z", "user.authentication.sso", session="S1",
                   targets=[{"displayName": f"app{i}"}, {"displayName": "alice"}]) for i in range(3)
    ])
    [finding] = engine.run(rules)  # app0..app2 + alice = 4 distinct > 3
    assert finding.group == {"authenticationContext.externalSessionId": "s1"}
    assert finding.count == 3


def test_booleans_match_true_and_numbers_compare_numerically(write_rule):
    rules = _rules(write_rule, """
title: Proxy
id: 77777777-7777-4777-8777-777777777777
logsource: {product: okta, service: okta}
detection:
  sel:
    securityContext.isProxy: true
  condition: sel
""")
    engine = HuntEngine()
    engine.load_events([okta_event("p", "2026-03-01T10:00:00Z", proxy=True),
                        okta_event("q", "2026-03-01T10:00:00Z", proxy=False)])
    assert engine.run(rules)[0].event_uuids == ["p"]


def test_messy_lines_are_skipped_counted_and_numbered(tmp_path: Path, write_rule):
    path = tmp_path / "events.jsonl"
    good = json.dumps(okta_event("g", "2026-03-01 10:00:00.123", result="FAILURE"))
    lower = json.dumps({"uuid": "l", "eventtype": "user.session.start",
                        "published": "2022-11-22 18:48:49.177", "outcome": {"result": "FAILURE"}})
    path.write_text("\n".join([good, "{not json", "", "[1, 2]", lower, '"str"', "\x00garbage"]) + "\n")
    engine = HuntEngine()
    report = engine.load_jsonl(path)
    assert (report.loaded, report.skipped, report.skipped_lines, report.blank) == (2, 4, [2, 4, 6, 7], 1)
    assert report.summary() == "2 events loaded, 4 bad lines skipped (line 2, 4, 6, 7)"
    [finding] = engine.run(_rules(write_rule, BASE))
    assert finding.event_uuids == ["l", "g"]
    assert finding.first_seen == "2022-11-22T18:48:49.177Z"


def test_reference_samples_load_without_crashing():
    engine = HuntEngine()
    files = sorted((REFERENCE / "samples" / "panther").glob("*.ndjson"))
    assert len(files) == 33
    for file in files:
        engine.load_jsonl(file)
    assert engine.report.loaded + engine.report.skipped == 86
    assert engine.event_count() == engine.report.loaded


def test_missing_file_and_unknown_field_are_typed_errors(tmp_path: Path, write_rule):
    engine = HuntEngine()
    with pytest.raises(HuntInputError, match="does not exist"):
        engine.load_jsonl(tmp_path / "nope.jsonl")
    bad = _rules(write_rule, BASE.replace("outcome.result", "outcome.bogus"))
    expected = r"rule 'Failed sign-in': unknown Okta field 'outcome\.bogus'"
    with pytest.raises(UnknownFieldError, match=expected):
        engine.run(bad)


def test_engine_narrowed_to_rules_refuses_rules_needing_other_columns(write_rule):
    narrow = HuntEngine(rules=_rules(write_rule, BASE))
    other = _rules(write_rule, BASE.replace("outcome.result: FAILURE", "securityContext.isProxy: true"))
    with pytest.raises(RuleConversionError, match=r"securityContext\.isProxy"):
        narrow.run(other)


def test_file_database_persists_between_engines(tmp_path: Path, write_rule):
    db = tmp_path / "hunt.db"
    with HuntEngine(db) as first:
        first.load_events([okta_event("a", "2026-03-01T10:00:00Z", result="FAILURE")])
    with HuntEngine(db) as second:
        assert second.event_count() == 1
        assert second.run(_rules(write_rule, BASE))[0].event_uuids == ["a"]
