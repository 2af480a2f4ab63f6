"""The System Log filter language: parsing, errors, evaluation (any-element arrays, case-insensitive)."""

from __future__ import annotations

from typing import Any

import pytest
from okta_ir.simulator.scim import FilterError, SearchCriteriaError, parse_filter

EVENT: dict[str, Any] = {
    "eventType": "user.session.start",
    "severity": "WARN",
    "outcome": {"result": "FAILURE", "reason": "INVALID_CREDENTIALS"},
    "actor": {"alternateId": "Jane.Doe@example.com", "id": "00u1"},
    "securityContext": {"isProxy": True, "asNumber": 208294},
    "target": [{"id": "0oaA", "type": "AppInstance"}, {"id": "0uaB", "type": "AppUser"}],
    "debugContext": {"debugData": {"requestUri": "/api/v1/authn"}},
}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('eventType eq "user.session.start"', True),
        ('eventType eq "USER.SESSION.START"', True),
        ('eventType ne "user.session.start"', False),
        ('eventType sw "user.session"', True),
        ('eventType ew ".start"', True),
        ('actor.alternateId co "doe@"', True),
        ("outcome.reason pr", True),
        ("client.ipAddress pr", False),
        ('target.id eq "0uaB"', True),
        ('target.type eq "User"', False),
        ('target.type ne "User"', True),
        ("securityContext.isProxy eq true", True),
        ("securityContext.asNumber gt 200000", True),
        ("securityContext.asNumber le 1000", False),
        ('severity ge "INFO"', True),
        ('outcome.result eq "SUCCESS" or outcome.reason eq "INVALID_CREDENTIALS"', True),
        ('outcome.result eq "SUCCESS" or severity eq "INFO" and eventType pr', False),
        ('not (outcome.result eq "SUCCESS")', True),
        ('(eventType eq "a" or eventType eq "user.session.start") and not actor.id eq "00u2"', True),
        ('debugContext.debugData.requestUri eq "/api/v1/authn"', True),
        ('actor.alternateId eq "say \\"hi\\""', False),
    ],
)
def test_evaluation(expr: str, expected: bool) -> None:
    assert parse_filter(expr).matches(EVENT) is expected


@pytest.mark.parametrize(
    "expr",
    [
        "",
        'published gt "2026-01-01T00:00:00Z"',
        "eventType eq",
        'eventType xx "a"',
        'eventType eq "a" and',
        '(eventType eq "a"',
        'eventType eq "a")',
        "eventType eq unquoted",
        'unknownRoot eq "a"',
        '"quoted" eq "a"',
    ],
)
def test_bad_filters_raise_filter_error(expr: str) -> None:
    with pytest.raises(FilterError):
        parse_filter(expr)


@pytest.mark.parametrize("field", ["debugContext.debugData.url", "debugContext.debugData.requestUri"])
def test_contains_on_url_fields_is_refused_as_bad_search(field: str) -> None:
    with pytest.raises(SearchCriteriaError):
        parse_filter(f'{field} co "/api"')
    assert parse_filter(f'{field} sw "/api"').matches(EVENT) is (field.endswith("requestUri"))
