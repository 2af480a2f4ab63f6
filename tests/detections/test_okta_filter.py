from __future__ import annotations

import pytest
import yaml

from detections.engine import HuntEngine
from detections.errors import FilterSyntaxError
from detections.okta_filter import (
    Comparison,
    Logical,
    Not,
    parse,
    to_collection,
    to_sigma,
    to_sigma_yaml,
    to_spl,
    to_sql,
)
from tests.detections.okta_events import okta_event

# Queries of the kind Okta's incident-response guide and support articles give analysts, and the event
# (built below) that each must find.
GUIDE = [
    ('eventType eq "user.session.start" and outcome.result eq "FAILURE"', "fail"),
    ('eventType eq "user.session.start" and outcome.reason eq "VERIFICATION_ERROR"', "fail"),
    ('eventType eq "user.account.lock"', "lock"),
    ('eventType sw "user.mfa"', "mfa"),
    ('eventType eq "user.session.access_admin_app"', "admin"),
    (
        'eventType eq "user.account.privilege.grant" and debugContext.debugData.privilegeGranted co "Super"',
        "grant",
    ),
    (
        '(actor.id eq "00uVICTIM" or target.id eq "00uVICTIM") and (eventType eq "user.session.start" or '
        'eventType eq "user.authentication.sso")',
        "sso",
    ),
    ('authenticationContext.externalSessionId eq "102stolen"', "sso"),
    ('client.ipAddress eq "203.0.113.66" and eventType eq "user.session.start"', "fail"),
    ('request.ipChain.geographicalContext.country eq "Romania"', "sso"),
    ('target.displayName eq "Salesforce" and outcome.result eq "SUCCESS"', "sso"),
    ('securityContext.isProxy eq true and not (eventType sw "user.mfa")', "admin"),
]


def _events():
    return [
        okta_event(
            "fail", "2026-03-01T10:00:00Z", result="FAILURE", reason="VERIFICATION_ERROR", ip="203.0.113.66"
        ),
        okta_event("lock", "2026-03-01T10:01:00Z", "user.account.lock"),
        okta_event("mfa", "2026-03-01T10:02:00Z", "user.mfa.okta_verify.deny_push", proxy=True),
        okta_event("admin", "2026-03-01T10:03:00Z", "user.session.access_admin_app", proxy=True),
        dict(
            okta_event("grant", "2026-03-01T10:04:00Z", "user.account.privilege.grant"),
            debugContext={"debugData": {"privilegeGranted": "Super administrator"}},
        ),
        okta_event(
            "sso",
            "2026-03-01T10:05:00Z",
            "user.authentication.sso",
            session="102stolen",
            country="Romania",
            targets=[
                {"id": "00uVICTIM", "type": "User"},
                {"id": "0oa1", "type": "AppInstance", "displayName": "Salesforce"},
            ],
        ),
    ]


@pytest.fixture(scope="module")
def engine():
    hunt = HuntEngine()
    hunt.load_events(_events())
    return hunt


@pytest.mark.parametrize(("expression", "expected"), GUIDE)
def test_guide_queries_translate_and_run_on_the_engine(engine, expression, expected):
    findings = engine.run(to_collection(expression))
    assert [f.event_uuids for f in findings] == [[expected]]
    assert to_spl(expression).startswith("`okta` ")
    assert to_sql(expression).startswith("SELECT * FROM logs WHERE ")


def test_parse_tree_precedence_and_is_tighter_than_or():
    tree = parse('uuid eq "1" or eventType eq "x" and NOT outcome.result pr')
    assert tree == Logical(
        "or",
        (
            Comparison("uuid", "eq", "1", 0),
            Logical(
                "and",
                (Comparison("eventType", "eq", "x", 15), Not(Comparison("outcome.result", "pr", None, 40))),
            ),
        ),
    )


def test_sigma_rule_shape_and_operators():
    rule = to_sigma(
        'client.ipAddress ne "1.2.3.4" and authenticationContext.authenticationStep ge 1 '
        'and displayMessage ew "*x" and outcome.reason pr'
    )
    assert rule["logsource"] == {"product": "okta", "service": "okta"}
    assert rule["detection"] == {
        "sel1": {"client.ipAddress": "1.2.3.4"},
        "sel2": {"authenticationContext.authenticationStep|gte": 1},
        "sel3": {"displayMessage|endswith": "\\*x"},
        "sel4": {"outcome.reason|exists": True},
        "condition": "not sel1 and sel2 and sel3 and sel4",
    }
    assert yaml.safe_load(to_sigma_yaml('eventType eq "a"'))["detection"]["sel1"] == {"eventType": "a"}


def test_spl_uses_splunk_array_names():
    assert to_spl('target.displayName eq "Okta Admin Console" and eventtype sw "user."') == (
        '`okta` target{}.displayName="Okta Admin Console" eventType="user.*"'
    )


@pytest.mark.parametrize(
    ("expression", "message", "position"),
    [
        ("", "empty filter expression", 0),
        ("eventType eq", 'expected a value ("string", number, true, false or null)', 12),
        ('eventType eq "user', "unterminated string", 13),
        ('eventType like "x"', "expected an operator (eq ne gt ge lt le sw ew co pr)", 10),
        ('(eventType eq "x"', "expected ')'", 17),
        ('eventType eq "x" and', "expected an attribute path, 'not' or '('", 20),
        ('client.ipAdress eq "x"', "unknown System Log attribute 'client.ipAdress'", 0),
        (
            'eventType eq "x" outcome.result eq "y"',
            "expected 'and', 'or' or the end, found 'outcome.result'",
            17,
        ),
        ('authenticationContext.authenticationStep gt "x"', "'gt' needs a number here", 44),
        ('eventType eq "x" # y', "unexpected character '#'", 17),
    ],
)
def test_malformed_expressions_name_the_position_with_a_caret(expression, message, position):
    with pytest.raises(FilterSyntaxError) as info:
        parse(expression)
    assert (info.value.reason, info.value.position) == (message, position)
    first, _shown, caret = str(info.value).split("\n")
    assert first == f"{message} at position {position}"
    assert caret == "  " + " " * position + "^"
