"""Every rule of the pack compiles to a Splunk saved search through the toolchain (detections.splunk)."""

from __future__ import annotations

import json
import re

from okta_ir.splunk.alert_action import ALERT_ACTIONS
from sigma.correlations import SigmaCorrelationRule
from sigma_pack import REPO, RULES_DIR, rule_files

from detections.rules import load_rules, responses, stage
from detections.splunk import compile_rules, macros_conf, savedsearches_conf


def _compiled():
    collection = load_rules(RULES_DIR)
    compiled, errors = compile_rules(collection, strict=True)
    return collection, compiled, errors


def test_every_alerting_rule_becomes_one_saved_search() -> None:
    collection, compiled, errors = _compiled()
    assert errors == []
    outputs = list(collection.get_output_rules())
    assert len(outputs) == len(rule_files())
    assert sorted(c.name for c in compiled) == sorted(f"Okta IR - {r.title}" for r in outputs)


def test_saved_searches_carry_the_rule_id_stage_and_filter_macro() -> None:
    collection, compiled, _ = _compiled()
    by_title = {r.title: r for r in collection.get_output_rules()}
    for item in compiled:
        rule = by_title[item.title]
        search = item.settings["search"]
        assert search.startswith("`okta` "), item.name
        assert search.endswith(f"| `{item.macro}`"), item.name
        assert item.settings["disabled"] == "1"
        notes = json.loads(item.settings["action.correlationsearch.annotations"])
        assert notes["okta_ir_rule_id"] == [str(rule.id)]
        assert notes["okta_ir_stage"] == [stage(rule)]
        assert notes["mitre_attack"], item.name
        if isinstance(rule, SigmaCorrelationRule):
            assert f"time_window={rule.timespan.spec}" in search, item.name
        else:
            assert "streamstats" not in search


def test_array_members_render_with_splunk_array_syntax() -> None:
    _, compiled, _ = _compiled()
    searches = {c.title: c.settings["search"] for c in compiled}
    group = searches["Okta User Added To A Privileged Group"]
    assert re.search(r'target\{\}\.displayName IN \("\*admin\*"', group)
    sweep = searches["Okta Session Signs Into Many Applications"]
    assert "dc(okta_ir_n0_src)" in sweep and "'target{}.displayName'" in sweep


def test_conf_files_hold_every_stanza_and_macro() -> None:
    _, compiled, _ = _compiled()
    saved = savedsearches_conf(compiled)
    macros = macros_conf(compiled)
    for item in compiled:
        assert f"[{item.name}]\n" in saved
        assert f"[{item.macro}]\ndefinition = search *\n" in macros


#: The containment each alerting rule names in ``okta_ir.response`` (sigma-rules/README.md, "Responses"),
#: with the result field the saved search hands the action.
RESPONSES = {
    "Okta Password Spraying From One IP": ("okta_ir_block_ip", "ip_field", "client.ipAddress"),
    "Okta Username Enumeration From One IP": ("okta_ir_block_ip", "ip_field", "client.ipAddress"),
    "Okta Successful Sign-In After A Failure Burst From The Same IP": (
        "okta_ir_block_ip", "ip_field", "client.ipAddress"),
    "Okta ThreatInsight Security Threat Detected": ("okta_ir_block_ip", "ip_field", "src_ip"),
    "Okta Session Used From Several IP Addresses": ("okta_ir_clear_sessions", "user_field", "user"),
    "Okta User Reported Suspicious Activity": ("okta_ir_clear_sessions", "user_field", "user"),
}
PROPS = REPO / "addon" / "package" / "default" / "props.conf"
GLOBAL_CONFIG = REPO / "addon" / "globalConfig.json"


def _event_fields() -> set[str]:
    """The CIM fields our props.conf aliases on every OktaIM2:log event."""
    stanza = PROPS.read_text(encoding="utf-8").split("[OktaIM2:log]")[1].split("\n[")[0]
    return set(re.findall(r"^FIELDALIAS-\S+ = \S+ AS (\S+)$", stanza, flags=re.MULTILINE))


def _correlation_row_fields(search: str) -> set[str]:
    """The fields of a correlation's result rows: its final ``stats``' outputs and group-by fields."""
    [stats] = [line for line in search.split("\n") if line.startswith("| stats ")]
    outputs, _, by = stats.partition(" by ")
    return set(re.findall(r" as (\S+)", outputs)) | set(by.split())


def test_password_spraying_ships_the_block_ip_action_disabled_in_dry_run() -> None:
    _, compiled, _ = _compiled()
    [spray] = [c for c in compiled if c.title == "Okta Password Spraying From One IP"]
    assert spray.render().endswith(
        "request.ui_dispatch_view = search\n"
        "action.okta_ir_block_ip = 0\n"
        "action.okta_ir_block_ip.param.ip_field = client.ipAddress\n"
        "action.okta_ir_block_ip.param.max_targets = 5\n"
        "action.okta_ir_block_ip.param.dry_run = 1\n"
    )


def test_responses_are_exactly_the_documented_ones_and_name_a_field_of_the_result_rows() -> None:
    collection, compiled, _ = _compiled()
    by_title = {r.title: r for r in collection.get_output_rules()}
    found = {}
    for item in compiled:
        actions = {k: v for k, v in item.settings.items() if k.startswith("action.okta_ir_")}
        rule = by_title[item.title]
        if not responses(rule):
            assert actions == {}, item.name
            continue
        [action] = responses(rule)
        [(param, field)] = [(k.rsplit(".", 1)[1], v) for k, v in actions.items() if k.endswith("_field")]
        found[item.title] = (action, param, field)
        assert actions[f"action.{action}"] == "0"
        assert actions[f"action.{action}.param.dry_run"] == "1"
        if isinstance(rule, SigmaCorrelationRule):
            assert field in _correlation_row_fields(item.settings["search"]), item.name
        else:
            assert field in _event_fields(), item.name
    assert found == RESPONSES


def test_session_roaming_rows_carry_the_user_whose_sessions_are_cleared() -> None:
    _, compiled, _ = _compiled()
    [roam] = [c for c in compiled if c.title == "Okta Session Used From Several IP Addresses"]
    assert roam.settings["search"].split("\n")[-2] == (
        "| stats min(_time) as first_seen max(_time) as last_seen max(okta_ir_n0_count) as count"
        " values(actor.alternateId) as user by authenticationContext.externalSessionId")


def test_every_response_is_a_real_alert_action() -> None:
    collection = load_rules(RULES_DIR)
    alerts = {a["name"] for a in json.loads(GLOBAL_CONFIG.read_text(encoding="utf-8"))["alerts"]}
    named = {name for rule in collection.rules for name in responses(rule)}
    assert named == {"okta_ir_block_ip", "okta_ir_clear_sessions"}
    assert named <= set(ALERT_ACTIONS)
    assert named <= alerts


def test_no_rule_suspends_or_deactivates_automatically() -> None:
    collection = load_rules(RULES_DIR)
    named = {name for rule in collection.rules for name in responses(rule)}
    assert not named & {"okta_ir_suspend_user", "okta_ir_deactivate_user", "okta_ir_reset_factors",
                        "okta_ir_expire_password", "okta_ir_quarantine_user"}


def test_every_macro_the_dashboards_use_is_generated_with_the_audit_macro() -> None:
    _, compiled, _ = _compiled()
    macros = macros_conf(compiled)
    assert '\n[okta_ir_actions]\ndefinition = sourcetype="okta:ir:action"\niseval = 0\n' in macros
    defined = set(re.findall(r"^\[(\w+)\]$", macros, flags=re.MULTILINE))
    used = {name for path in (REPO / "dashboards").glob("*.json")
            for name in re.findall(r"`(\w+)`", path.read_text(encoding="utf-8"))}
    assert "okta_ir_actions" in used
    assert used - defined == set()
