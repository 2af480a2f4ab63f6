"""Every rule of the pack compiles to a Splunk saved search through the toolchain (detections.splunk)."""

from __future__ import annotations

import json
import re

from sigma.correlations import SigmaCorrelationRule
from sigma_pack import RULES_DIR, rule_files

from detections.rules import load_rules, stage
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
