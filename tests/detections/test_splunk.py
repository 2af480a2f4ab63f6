from __future__ import annotations

import json

import pytest
from okta_ir.splunk.alert_action import ALERT_ACTIONS

from detections.errors import RuleConversionError, UnknownFieldError
from detections.rules import load_rules
from detections.splunk import RESPONSE_PARAMS, compile_rules, macros_conf, savedsearches_conf

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


BLOCK = """
title: Failed Sign-In From A Bad IP
id: 66666666-6666-4666-8666-666666666666
name: failed_signin_bad_ip
logsource: {product: okta, service: okta}
detection:
  sel:
    eventType: user.session.start
    outcome.result: FAILURE
  condition: sel
level: high
okta_ir.response: okta_ir_block_ip
"""

BLOCK_LINES = (
    "action.okta_ir_block_ip = 0\n"
    "action.okta_ir_block_ip.param.ip_field = {field}\n"
    "action.okta_ir_block_ip.param.max_targets = 5\n"
    "action.okta_ir_block_ip.param.dry_run = 1\n"
)


def test_response_params_come_from_the_alert_actions() -> None:
    assert set(RESPONSE_PARAMS) == set(ALERT_ACTIONS)
    assert RESPONSE_PARAMS["okta_ir_block_ip"] == {
        "ip_field": "src_ip", "max_targets": "5", "dry_run": "1"}
    assert RESPONSE_PARAMS["okta_ir_clear_sessions"] == {
        "user_field": "user", "max_targets": "5", "dry_run": "1"}


def test_single_event_response_names_the_cim_field_of_the_events(write_rule) -> None:
    [rule] = _compile(write_rule, BLOCK).values()
    assert rule.render().endswith("request.ui_dispatch_view = search\n" + BLOCK_LINES.format(field="src_ip"))
    assert "src_ip" not in rule.settings["search"]  # events carry src_ip through props.conf, not the SPL


def test_single_event_response_with_user_target(write_rule) -> None:
    [rule] = _compile(write_rule, BASE).values()
    actions = {k: v for k, v in rule.settings.items() if k.startswith("action.okta_ir_")}
    assert actions == {
        "action.okta_ir_suspend_user": "0",
        "action.okta_ir_suspend_user.param.user_field": "user",
        "action.okta_ir_suspend_user.param.max_targets": "5",
        "action.okta_ir_suspend_user.param.dry_run": "1",
    }


def test_correlation_response_names_its_group_by_field(write_rule) -> None:
    text = BLOCK.replace("okta_ir.response: okta_ir_block_ip\n", "") + """---
title: Burst From One IP
id: 77777777-7777-4777-8777-777777777777
correlation: {type: event_count, rules: [failed_signin_bad_ip], group-by: [client.ipAddress], timespan: 5m,
              condition: {gte: 10}}
level: high
okta_ir.response: [okta_ir_block_ip]
"""
    rule = _compile(write_rule, text)["Burst From One IP"]
    assert rule.render().endswith(BLOCK_LINES.format(field="client.ipAddress"))
    stats = rule.settings["search"].split("\n")[-2]
    assert stats == ("| stats min(_time) as first_seen max(_time) as last_seen max(okta_ir_n0_count) as count"
                     " by client.ipAddress")


def test_correlation_carries_a_target_it_does_not_group_by(write_rule) -> None:
    text = """
title: Session Event
id: 88888888-8888-4888-8888-888888888888
name: session_event
logsource: {product: okta, service: okta}
detection:
  sel:
    authenticationContext.externalSessionId: '*'
  condition: sel
---
title: Roaming Session
id: 99999999-9999-4999-8999-999999999999
correlation: {type: value_count, rules: [session_event], group-by: [authenticationContext.externalSessionId],
              timespan: 1h, condition: {field: client.ipAddress, gte: 2}}
level: high
okta_ir.response: [okta_ir_clear_sessions, okta_ir_block_ip]
"""
    settings = _compile(write_rule, text)["Roaming Session"].settings
    assert settings["search"].split("\n")[-2] == (
        "| stats min(_time) as first_seen max(_time) as last_seen max(okta_ir_n0_count) as count"
        " values(actor.alternateId) as user values(client.ipAddress) as src_ip"
        " by authenticationContext.externalSessionId")
    assert settings["action.okta_ir_clear_sessions.param.user_field"] == "user"
    assert settings["action.okta_ir_block_ip.param.ip_field"] == "src_ip"
    assert settings["alert.suppress.fields"] == "authenticationContext.externalSessionId"


def test_rule_without_response_has_no_action_lines(write_rule) -> None:
    [rule] = _compile(write_rule, SUCCESS.lstrip("-\n")).values()
    assert [k for k in rule.settings if k.startswith("action.") and not k.startswith(
        ("action.correlationsearch.", "action.notable."))] == []
    assert "action.okta_ir" not in rule.render()


def test_unknown_response_is_refused_naming_rule_and_action(write_rule) -> None:
    path = write_rule(BLOCK.replace("okta_ir_block_ip", "okta_ir_block_everything"))
    with pytest.raises(RuleConversionError) as info:
        compile_rules(load_rules(path))
    assert str(info.value) == (
        "rule 'Failed Sign-In From A Bad IP': okta_ir.response 'okta_ir_block_everything' is not an "
        "okta-ir alert action; one of: okta_ir_block_ip, okta_ir_clear_sessions, okta_ir_deactivate_user, "
        "okta_ir_expire_password, okta_ir_quarantine_user, okta_ir_release_user, okta_ir_reset_factors, "
        "okta_ir_suspend_user, okta_ir_unblock_ip, okta_ir_unsuspend_user")


def test_macros_conf_defines_the_audit_macro(write_rule) -> None:
    compiled, _ = compile_rules(load_rules(write_rule(BASE)))
    macros = macros_conf(compiled)
    assert '\n[okta_ir_actions]\ndefinition = sourcetype="okta:ir:action"\niseval = 0\n' in macros
    comment = macros.split("[okta_ir_actions]")[0].split("iseval = 0\n")[-1]
    assert '# definition = (index=okta_audit sourcetype="okta:ir:action")' in comment
