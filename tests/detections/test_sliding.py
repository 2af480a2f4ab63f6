from __future__ import annotations

import json
import random

import pytest

import detections.engine as engine_module
from detections.engine import HuntEngine
from detections.rules import load_rules
from detections.sliding import value_count_windows
from tests.detections.okta_events import okta_event


def _row(eid, ts, group="g", *values):
    return (eid, ts, (group,), list(values))


def test_window_is_inclusive_and_peers_count_together():
    rows = [
        _row(1, 0.0, "g", "a"),
        _row(2, 60.0, "g", "b"),
        _row(3, 60.0, "g", "c"),
        _row(4, 200.0, "g", "d"),
    ]
    # at t=60 the window [0, 60] holds a, b, c (both events at 60 counted together)
    assert value_count_windows(rows, 60.0, "gte", 3) == {("g",): [1, 2, 3]}
    assert value_count_windows(rows, 59.0, "gte", 3) == {}


def test_values_are_case_insensitive_nulls_ignored_and_groups_separate():
    rows = [
        _row(1, 0.0, "x", "A"),
        _row(2, 1.0, "x", "a"),
        _row(3, 2.0, "x", None),
        _row(4, 0.0, "y", "a"),
        _row(5, 1.0, "y", "b"),
    ]
    assert value_count_windows(rows, 10.0, "gte", 2) == {("y",): [4, 5]}
    assert value_count_windows(rows, 10.0, "lt", 2) == {("x",): [1, 2, 3], ("y",): [4]}


def test_evidence_of_overlapping_windows_is_merged_once_in_order():
    rows = [_row(i, float(i), "g", f"v{i}") for i in range(6)]
    assert value_count_windows(rows, 2.0, "gte", 3) == {("g",): [0, 1, 2, 3, 4, 5]}


def test_array_values_count_each_element():
    rows = [_row(1, 0.0, "s", "app1", "me"), _row(2, 5.0, "s", "app2", "me")]
    assert value_count_windows(rows, 10.0, "eq", 3) == {("s",): [1, 2]}


RULES = """
title: Failed
id: 11111111-1111-4111-8111-111111111111
name: failed
logsource: {product: okta, service: okta}
detection:
  sel: {outcome.result: FAILURE}
  condition: sel
---
title: Spray
id: 22222222-2222-4222-8222-222222222222
correlation: {type: value_count, rules: [failed], group-by: [client.ipAddress], timespan: 3m,
              condition: {field: actor.alternateId, gte: 3}}
---
title: Few
id: 33333333-3333-4333-8333-333333333333
correlation: {type: value_count, rules: [failed], group-by: [client.ipAddress], timespan: 2m,
              condition: {field: target.displayName, lt: 2}}
---
title: Apps
id: 44444444-4444-4444-8444-444444444444
correlation: {type: value_count, rules: [failed], group-by: [actor.alternateId], timespan: 4m,
              condition: {field: target.displayName, gte: 2}}
"""


def test_linear_path_finds_what_the_backend_plan_finds(write_rule, monkeypatch: pytest.MonkeyPatch):
    rnd = random.Random(11)
    events = [
        okta_event(
            f"e{i}",
            f"2026-03-01T10:{rnd.randrange(0, 30):02d}:{rnd.randrange(0, 60):02d}Z",
            result=rnd.choice(["FAILURE", "FAILURE", "SUCCESS"]),
            ip=rnd.choice(["1.1.1.1", "2.2.2.2"]),
            user=rnd.choice(["a@x", "B@x", "b@x", "c@x", "d@x"]),
            targets=[{"displayName": rnd.choice(["app1", "app2"])}],
        )
        for i in range(300)
    ]
    rules = load_rules(write_rule(RULES))
    engine = HuntEngine()
    engine.load_events(events)

    def summary(findings):
        return sorted(
            (f.title, json.dumps(f.group), f.event_uuids, f.first_seen, f.last_seen) for f in findings
        )

    linear = summary(engine.run(rules))
    monkeypatch.setattr(engine_module, "_linear_value_count", lambda rule: False)
    planned = summary(engine.run(rules))
    assert linear == planned
    assert {t for t, *_ in linear} == {"Spray", "Few", "Apps"}
