from __future__ import annotations

from pathlib import Path

import pytest

from detections.errors import RuleConversionError
from detections.rules import attack_ids, load_rules, responses, rule_files, snake, stage

TEXT = """
title: Base
name: base
logsource: {product: okta, service: okta}
detection: {sel: {eventType: x}, condition: sel}
tags: [attack.t1110.003, attack.credential-access, attack.T1078, okta_ir.stage.initial_compromise]
okta_ir.response: [okta_ir_suspend_user, okta_ir_clear_sessions]
---
title: Corr
correlation: {type: event_count, rules: [base], group-by: [actor.alternateId], timespan: 5m,
              condition: {gte: 2}}
"""


def test_metadata_read_from_tags_and_custom_fields(tmp_path: Path):
    (tmp_path / "a.yml").write_text(TEXT)
    base, corr = load_rules(tmp_path).rules
    assert (stage(base), stage(corr)) == ("initial_compromise", "initial_compromise")  # inherited
    assert attack_ids(base) == ["T1110.003", "T1078"]
    assert responses(base) == ["okta_ir_suspend_user", "okta_ir_clear_sessions"]
    assert responses(corr) == []
    assert snake("Okta: Password Spray (v2)") == "okta_password_spray_v2"


def test_rule_files_and_errors_name_the_file(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.yaml").write_text(TEXT)
    (tmp_path / "notes.jsonl").write_text("{}")
    assert rule_files(tmp_path) == [tmp_path / "sub" / "b.yaml"]
    bad = tmp_path / "bad.yml"
    bad.write_text("title: [unclosed")
    with pytest.raises(RuleConversionError, match=r"bad\.yml: not a valid Sigma rule"):
        load_rules(bad)
    with pytest.raises(RuleConversionError, match="does not exist"):
        load_rules(tmp_path / "missing")
    (tmp_path / "sub" / "b.yaml").write_text(TEXT.replace("okta_ir_clear_sessions", "Clear Sessions!"))
    with pytest.raises(RuleConversionError, match="is not an alert action name"):
        responses(load_rules(tmp_path / "sub").rules[0])
