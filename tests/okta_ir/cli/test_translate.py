from __future__ import annotations

import pytest
import yaml
from okta_ir.cli import main


def test_translate_to_each_target(capsys: pytest.CaptureFixture[str]) -> None:
    expr = 'eventType eq "user.session.start" and outcome.reason eq "VERIFICATION_ERROR"'
    assert main(["translate", expr, "--to", "spl"]) == 0
    assert capsys.readouterr().out == (
        '`okta` eventType="user.session.start" outcome.reason="VERIFICATION_ERROR"\n'
    )
    assert main(["translate", expr, "--to", "sql"]) == 0
    assert capsys.readouterr().out == (
        "SELECT * FROM logs WHERE eventType='user.session.start' AND "
        "`outcome.reason` LIKE 'VERIFICATION\\_ERROR' ESCAPE '\\'\n"
    )
    assert main(["translate", expr, "--to", "sigma"]) == 0
    rule = yaml.safe_load(capsys.readouterr().out)
    assert rule["detection"] == {
        "sel1": {"eventType": "user.session.start"},
        "sel2": {"outcome.reason": "VERIFICATION_ERROR"},
        "condition": "sel1 and sel2",
    }


def test_malformed_expression_exits_1_with_position_and_caret(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["translate", 'eventType eq "x" and (', "--to", "spl"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "okta-ir translate: error: expected an attribute path, 'not' or '(' at position 22\n"
        '  eventType eq "x" and (\n'
        "                        ^\n"
    )
