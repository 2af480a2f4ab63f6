from __future__ import annotations

import json
import random

import pytest

import detections.engine as engine_module
from detections.engine import HuntEngine
from detections.linear_correlations import is_sweepable, is_temporal_sweepable
from detections.rules import load_rules
from tests.detections.okta_events import okta_event

RULES = """
title: Failed
id: 11111111-1111-4111-8111-111111111111
name: failed
logsource: {product: okta, service: okta}
detection:
  sel: {outcome.result: FAILURE}
  condition: sel
---
title: Succeeded
id: 22222222-2222-4222-8222-222222222222
name: succeeded
logsource: {product: okta, service: okta}
detection:
  sel: {outcome.result: SUCCESS}
  condition: sel
---
title: From Two
id: 33333333-3333-4333-8333-333333333333
name: from_two
logsource: {product: okta, service: okta}
detection:
  sel: {client.ipAddress: 2.2.2.2}
  condition: sel
---
title: Burst
id: 44444444-4444-4444-8444-444444444444
name: burst
correlation: {type: event_count, rules: [failed], group-by: [client.ipAddress], timespan: 2m,
              condition: {gte: 4}}
---
title: Overlapping Bases
id: 55555555-5555-4555-8555-555555555555
correlation: {type: event_count, rules: [failed, from_two], group-by: [actor.alternateId], timespan: 90s,
              condition: {gt: 3}}
---
title: Quiet
id: 66666666-6666-4666-8666-666666666666
correlation: {type: event_count, rules: [succeeded], group-by: [actor.alternateId], timespan: 1m,
              condition: {lte: 1}}
---
title: Success After Burst
id: 77777777-7777-4777-8777-777777777777
correlation: {type: temporal, rules: [burst, succeeded], group-by: [client.ipAddress], timespan: 3m}
---
title: Users
id: 88888888-8888-4888-8888-888888888888
name: users
correlation: {type: value_count, rules: [failed], group-by: [client.ipAddress], timespan: 2m,
              condition: {field: actor.alternateId, gte: 2}}
---
title: Spray Then Success
id: 99999999-9999-4999-8999-999999999999
correlation: {type: temporal, rules: [users, succeeded, from_two], group-by: [client.ipAddress],
              timespan: 1m, condition: {gte: 2}}
---
title: Both Bases
id: aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa
correlation: {type: temporal, rules: [failed, succeeded], group-by: [actor.alternateId, client.ipAddress],
              timespan: 30s}
"""


def _events(seed: int, count: int) -> list[dict[str, object]]:
    rnd = random.Random(seed)
    return [
        okta_event(
            f"e{i}",
            # whole seconds in a short span: many events share a timestamp (window peers)
            f"2026-03-01T10:{rnd.randrange(0, 20):02d}:{rnd.randrange(0, 60, 5):02d}Z",
            result=rnd.choice(["FAILURE", "FAILURE", "SUCCESS"]),
            ip=rnd.choice(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            user=rnd.choice(["a@x", "A@x", "b@x", "c@x"]),
        )
        for i in range(count)
    ]


def _summary(findings):
    return sorted(
        (f.title, json.dumps(f.group), f.event_uuids, f.first_seen, f.last_seen, f.count) for f in findings
    )


@pytest.mark.parametrize("seed", [3, 5, 8])
def test_linear_event_count_and_temporal_find_what_the_backend_plan_finds(
    write_rule, monkeypatch: pytest.MonkeyPatch, seed: int
):
    rules = load_rules(write_rule(RULES))
    correlations = {r.title: r for r in rules.rules if not hasattr(r, "detection")}
    assert all(is_sweepable(correlations[t]) for t in ("Burst", "Overlapping Bases", "Quiet", "Users"))
    assert all(is_temporal_sweepable(correlations[t])
               for t in ("Success After Burst", "Spray Then Success", "Both Bases"))
    engine = HuntEngine()
    engine.load_events(_events(seed, 250))

    linear = _summary(engine.run(rules))
    monkeypatch.setattr(engine_module, "_linear", lambda rule: False)
    planned = _summary(engine.run(rules))
    assert linear == planned
    # every kind of rule found something, and the intermediates (generate: false) reported nothing
    assert {t for t, *_ in linear} == {"Overlapping Bases", "Quiet", "Success After Burst",
                                       "Spray Then Success", "Both Bases"}


def test_temporal_over_a_child_grouped_differently_is_left_to_the_backend(write_rule):
    rules = load_rules(write_rule(RULES.replace(
        "rules: [burst, succeeded], group-by: [client.ipAddress]",
        "rules: [burst, succeeded], group-by: [actor.alternateId]",
    )))
    temporal = next(r for r in rules.rules if r.title == "Success After Burst")
    assert not is_temporal_sweepable(temporal)
