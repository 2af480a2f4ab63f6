from __future__ import annotations

import json

import pytest

from detections.errors import UnknownFieldError
from detections.rules import load_rules
from detections.splunk import compile_rules, macros_conf, savedsearches_conf

BASE = """
title: Failed Sign-In
id: 11111111-1111-4111-8111-111111111111
name: failed_signin
description: |
  A failed
  sign-in.
logsource: {product: okta, service: okta}
detection:
  sel:
    eventType: user.session.start
    outcome.result: FAILURE
    target.displayName|startswith: Okta
  condition: sel
level: high
tags: [attack.credential-access, attack.t1110.003, okta_ir.stage.reconnaissance]
okta_ir.response: [okta_ir_suspend_user]
"""

SUCCESS = """---
title: Sign-In Success
id: 22222222-2222-4222-8222-222222222222
name: signin_ok
logsource: {product: okta, service: okta}
detection:
  sel:
    eventType: user.session.start
    outcome.result: SUCCESS
  condition: sel
"""


def _compile(write_rule, text):
    compiled, errors = compile_rules(load_rules(write_rule(text)))
    assert errors == []
    return {c.title: c for c in compiled}


def test_single_event_rule_stanza(write_rule):
    [rule] = _compile(write_rule, BASE).values()
    assert rule.name == "Okta IR - Failed Sign-In"
    assert rule.macro == "okta_ir_failed_sign_in_filter"
    s = rule.settings
    assert s["search"] == (
        '`okta` eventType="user.session.start" outcome.result="FAILURE" target{}.displayName="Okta*"\n'
        "| `okta_ir_failed_sign_in_filter`"
    )
    assert s["description"] == (
        "A failed sign-in. (okta-ir rule 11111111-1111-4111-8111-111111111111, stage reconnaissance)")
    assert json.loads(s["action.correlationsearch.annotations"]) == {
        "mitre_attack": ["T1110.003"], "okta_ir_rule_id": ["11111111-1111-4111-8111-111111111111"],
        "okta_ir_stage": ["reconnaissance"]}
    expected = {"disabled": "1", "cron_schedule": "*/15 * * * *", "dispatch.earliest_time": "-20m@m",
                "dispatch.latest_time": "now", "counttype": "number of events", "relation": "greater than",
                "quantity": "0", "alert.severity": "5", "alert.suppress": "1",
                "alert.suppress.fields": "actor.alternateId", "alert.suppress.period": "60m",
                "request.ui_dispatch_app": "TA-okta-ir", "action.okta_ir_suspend_user": "0"}
    assert {k: s[k] for k in expected} == expected
    assert s["action.notable.param.drilldown_search"] == (
        '`okta` eventType="user.session.start" outcome.result="FAILURE" target{}.displayName="Okta*"')
    assert rule.render().startswith("[Okta IR - Failed Sign-In]\ndescription = A failed sign-in.")


def test_event_count_is_a_sliding_window(write_rule):
    rules = _compile(write_rule, BASE + """---
title: Burst
id: 33333333-3333-4333-8333-333333333333
correlation: {type: event_count, rules: [failed_signin], group-by: [client.ipAddress], timespan: 5m,
              condition: {gte: 10}}
level: medium
""")
    assert list(rules) == ["Burst"]  # the referenced base rule is not scheduled on its own
    burst = rules["Burst"].settings
    assert burst["search"] == "\n".join([
        '`okta` eventType="user.session.start" outcome.result="FAILURE" target{}.displayName="Okta*"',
        "| eval okta_ir_b0=1",
        "| sort 0 _time",
        "| eval okta_ir_n0_src=if(isnotnull(okta_ir_b0), 1, null())",
        "| streamstats time_window=5m count(okta_ir_n0_src) as okta_ir_n0_count by client.ipAddress",
        "| eval okta_ir_n0=if(isnotnull(okta_ir_n0_src) AND okta_ir_n0_count>=10, 1, null())",
        "| where isnotnull(okta_ir_n0)",
        "| stats min(_time) as first_seen max(_time) as last_seen max(okta_ir_n0_count) as count"
        " by client.ipAddress",
        "| `okta_ir_burst_filter`",
    ])
    assert burst["alert.suppress.fields"] == "client.ipAddress"
    assert burst["dispatch.earliest_time"] == "-25m@m"
    assert burst["action.notable.param.drilldown_search"] == (
        '`okta` client.ipAddress="$client.ipAddress$" eventType="user.session.start" '
        'outcome.result="FAILURE" target{}.displayName="Okta*"')


def test_value_count_counts_distinct_values_with_gt(write_rule):
    rules = _compile(write_rule, BASE + """---
title: Spray
id: 44444444-4444-4444-8444-444444444444
correlation: {type: value_count, rules: [failed_signin], group-by: [client.ipAddress], timespan: 1h,
              condition: {field: actor.alternateId, gt: 4}}
""")
    lines = rules["Spray"].settings["search"].split("\n")
    assert lines[3:6] == [
        "| eval okta_ir_n0_src=if(isnotnull(okta_ir_b0), 'actor.alternateId', null())",
        "| streamstats time_window=1h dc(okta_ir_n0_src) as okta_ir_n0_count by client.ipAddress",
        "| eval okta_ir_n0=if(isnotnull(okta_ir_n0_src) AND okta_ir_n0_count>4, 1, null())",
    ]


def test_temporal_over_two_rules_uses_one_search_and_searchmatch(write_rule):
    rules = _compile(write_rule, BASE + SUCCESS + """---
title: Fail Then Success
id: 55555555-5555-4555-8555-555555555555
correlation: {type: temporal_ordered, rules: [failed_signin, signin_ok], group-by: [actor.alternateId],
              timespan: 15m}
""")
    assert rules["Fail Then Success"].settings["search"] == "\n".join([
        '`okta` ((eventType="user.session.start" outcome.result="FAILURE" target{}.displayName="Okta*") OR '
        '(eventType="user.session.start" outcome.result="SUCCESS"))',
        '| eval okta_ir_b0=if(searchmatch("eventType=\\"user.session.start\\" outcome.result=\\"FAILURE\\" '
        'target{}.displayName=\\"Okta*\\""), 1, null())',
        '| eval okta_ir_b1=if(searchmatch("eventType=\\"user.session.start\\" '
        'outcome.result=\\"SUCCESS\\""), 1, null())',
        "| sort 0 _time",
        "| eval okta_ir_n0_src=if(isnotnull(okta_ir_b0) OR isnotnull(okta_ir_b1), 1, null())",
        "| eval okta_ir_n0_t0=if(isnotnull(okta_ir_b0), _time, null())",
        "| eval okta_ir_n0_t1=if(isnotnull(okta_ir_b1), _time, null())",
        "| streamstats time_window=15m count(okta_ir_b0) as okta_ir_n0_c0 count(okta_ir_b1) as okta_ir_n0_c1 "
        "min(okta_ir_n0_t0) as okta_ir_n0_m0 min(okta_ir_n0_t1) as okta_ir_n0_m1 by actor.alternateId",
        "| eval okta_ir_n0_count=if(okta_ir_n0_c0>0, 1, 0) + if(okta_ir_n0_c1>0, 1, 0)",
        "| eval okta_ir_n0_count="
        "if(isnotnull(okta_ir_b1) AND okta_ir_n0_m0<=okta_ir_n0_m1, okta_ir_n0_count, 0)",
        "| eval okta_ir_n0=if(isnotnull(okta_ir_n0_src) AND okta_ir_n0_count>=2, 1, null())",
        "| where isnotnull(okta_ir_n0)",
        "| stats min(_time) as first_seen max(_time) as last_seen max(okta_ir_n0_count) as count"
        " by actor.alternateId",
        "| `okta_ir_fail_then_success_filter`",
    ])


def test_unknown_field_names_rule_and_field_and_others_still_compile(write_rule):
    text = BASE + SUCCESS.replace("outcome.result: SUCCESS", "outcome.resutl: SUCCESS")
    compiled, errors = compile_rules(load_rules(write_rule(text)), strict=False)
    assert [c.title for c in compiled] == ["Failed Sign-In"]
    assert len(errors) == 1
    assert errors[0].startswith("rule 'Sign-In Success': unknown Okta field 'outcome.resutl'")
    with pytest.raises(UnknownFieldError):
        compile_rules(load_rules(write_rule(text)))


def test_conf_files_render_stanzas_and_macros(write_rule):
    compiled, _ = compile_rules(load_rules(write_rule(BASE)))
    conf = savedsearches_conf(compiled)
    assert "\n[Okta IR - Failed Sign-In]\n" in conf
    assert 'target{}.displayName="Okta*" \\\n| `okta_ir_failed_sign_in_filter`\n' in conf
    macros = macros_conf(compiled)
    assert '[okta]\ndefinition = (sourcetype="OktaIM2:log")\niseval = 0\n' in macros
    assert "[okta_ir_failed_sign_in_filter]\ndefinition = search *\n" in macros
    assert "index=" in macros.split("[okta]")[0]  # the comment tells admins where the index goes


SIGMAHQ_STYLE = {
    "okta_admin_role_assigned.yml": """
title: Okta Admin Role Assigned to an User or Group
id: 413d4a81-6c98-4479-9863-014785fd579c
status: test
logsource:
    product: okta
    service: okta
detection:
    selection:
        eventtype:
            - group.privilege.grant
            - user.account.privilege.grant
    condition: selection
level: medium
""",
    "okta_policy_modified.yml": """
title: Okta Policy Modified or Deleted
id: 1667a172-ed4c-463c-9969-efd92195319a
status: test
logsource:
    product: okta
    service: okta
detection:
    selection:
        eventtype:
            - policy.lifecycle.update
            - policy.lifecycle.delete
    condition: selection
level: low
""",
    "okta_unknown_field.yml": """
title: Okta Something With A Made Up Field
id: 2b0e2e0a-4a2b-4f0b-9a39-0e3c8c0e7d11
status: test
logsource:
    product: okta
    service: okta
detection:
    selection:
        eventtype: user.session.start
        client.device.fingerprint: abc
    condition: selection
level: low
""",
}


def test_third_party_rule_directory_compiles_all_it_can(tmp_path):
    for name, text in SIGMAHQ_STYLE.items():
        (tmp_path / name).write_text(text)
    compiled, errors = compile_rules(load_rules(tmp_path), strict=False)
    assert [c.title for c in compiled] == ["Okta Admin Role Assigned to an User or Group",
                                           "Okta Policy Modified or Deleted"]
    assert compiled[0].settings["search"].split("\n")[0] == (
        '`okta` eventType IN ("group.privilege.grant", "user.account.privilege.grant")')
    assert len(errors) == 1
    assert errors[0].startswith("rule 'Okta Something With A Made Up Field': unknown Okta field "
                                "'client.device.fingerprint'")
