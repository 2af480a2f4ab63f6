"""Validation of containment targets taken from log fields (okta_ir.containment.targets)."""

from __future__ import annotations

import ipaddress

import pytest
from okta_ir.containment.targets import (
    display,
    parse_ip_target,
    parse_okta_id,
    parse_session_id,
    parse_user_ref,
)
from okta_ir.errors import ContainmentRefused


@pytest.mark.parametrize(
    "login",
    [
        "alice@example.com",
        "Alice.Smith+ir@corp.example.co.uk",
        "o'brien@example.com",
        "jdoe",
        "00u1a2b3c4d5e6f7g8h9",
        "zoë.müller@example.de",
        "user-1_2@sub-domain.example.com",
    ],
)
def test_valid_logins_pass_unchanged(login: str) -> None:
    assert parse_user_ref(login) == login


@pytest.mark.parametrize(
    ("login", "reason"),
    [
        ("../../api/v1/users/admin/lifecycle/deactivate", "'/'"),
        ("alice@example.com/../../admin", "'/'"),
        ("alice@example.com\r\nX-Injected: 1", "control or invisible"),
        ("alice\x00@example.com", "control or invisible"),
        ("", "empty"),
        ("a" * 101, "101 characters long"),
        ("a" * 1001, "1001 characters long (limit 1000)"),
        ("me", "reserved alias"),
        ("ME", "reserved alias"),
        ("alice@@example.com", "more than one '@'"),
        ("alice@localhost", "no dot"),
        ("alice..b@example.com", "consecutive dots"),
        (".alice@example.com", "starts or ends with punctuation"),
        ("alice@example..com", "empty part"),
        ("alice@ex_ample.com", "only letters, digits"),
        ("alice?x=1@example.com", "'?'"),
        ("alice%2f@example.com", "'%'"),
        ("alice#frag@example.com", "'#'"),
        ("alice\\admin", "'\\'"),
        (" alice@example.com", "leading or trailing whitespace"),
        ("alice @example.com", "' '"),
        ("alice\u202e@example.com", "control or invisible"),
        ("alice\u200b@example.com", "control or invisible"),
        ("alice\uff0fadmin@example.com", "\\uff0f"),
        ("e\u0301@example.com", "normal form NFC"),
        ("alice\u2028@example.com", "control or invisible"),
    ],
)
def test_hostile_logins_are_refused_with_a_reason(login: str, reason: str) -> None:
    with pytest.raises(ContainmentRefused) as caught:
        parse_user_ref(login)
    assert reason in str(caught.value)
    assert "\r" not in str(caught.value) and "\n" not in str(caught.value)


def test_non_text_user_is_refused() -> None:
    with pytest.raises(ContainmentRefused, match=r"not text"):
        parse_user_ref(12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("203.0.113.7", "203.0.113.7/32"),
        ("198.51.100.0/24", "198.51.100.0/24"),
        ("2001:db8::7", "2001:db8::7/128"),
        ("2001:DB8:0:0::/64", "2001:db8::/64"),
    ],
)
def test_ip_targets_become_networks(text: str, expected: str) -> None:
    assert parse_ip_target(text) == ipaddress.ip_network(expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("203.0.113.7:443", "not a valid address"),
        ("[2001:db8::7]:443", "no port, bracket, zone id"),
        ("fe80::1%eth0", "no port, bracket, zone id"),
        ("203.0.113.7 ", "leading or trailing whitespace"),
        ("203.0.113.07", "not a valid address"),
        ("203.0.113.1/24", "has host bits set"),
        ("203.0.113.1-203.0.113.9", "no port, bracket, zone id"),
        ("1.2.3.4\n", "control or invisible"),
        ("evil.example.com", "no port, bracket, zone id"),
        ("999.1.1.1", "not a valid address"),
        ("", "empty"),
        ("1" * 60, "60 characters long"),
        ("203.0.113.7/33", "not a valid address"),
    ],
)
def test_hostile_ip_targets_are_refused(text: str, reason: str) -> None:
    with pytest.raises(ContainmentRefused) as caught:
        parse_ip_target(text)
    assert reason in str(caught.value)


def test_okta_and_session_ids() -> None:
    assert parse_okta_id("00g1quarantine000001", "group") == "00g1quarantine000001"
    with pytest.raises(ContainmentRefused, match=r"group 00g/../x is not an Okta id"):
        parse_okta_id("00g/../x", "group")
    assert parse_session_id("102GALFw9OVTHaYw1a3ZmGd7g") == "102GALFw9OVTHaYw1a3ZmGd7g"
    assert parse_session_id("l7FbDVqS8zHSy65uJD85") == "l7FbDVqS8zHSy65uJD85"
    for bad in ("../sessions/me", "abc", "x" * 65, "idx.abc.def"):
        with pytest.raises(ContainmentRefused, match=r"session id"):
            parse_session_id(bad)


def test_display_escapes_controls_and_cuts_long_values() -> None:
    assert display("a\r\nb\x00") == "a\\x0d\\x0ab\\x00"
    assert display("zoë") == "zo\\xeb"
    shown = display("x" * 500)
    assert shown == "x" * 120 + "...(500 chars)"
