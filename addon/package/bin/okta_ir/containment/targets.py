"""Validation of containment targets taken from log fields (hostile until proven otherwise).

A value that is not plainly a user login / Okta id, an IP address / CIDR, or a session id is refused
with a reason before anything is sent. Path segments are URL-encoded by the caller regardless.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from typing import Union

from okta_ir.errors import ContainmentRefused

__all__ = [
    "MAX_FIELD_CHARS",
    "MAX_LOGIN_CHARS",
    "IPNetwork",
    "display",
    "parse_ip_target",
    "parse_okta_id",
    "parse_session_id",
    "parse_user_ref",
]

MAX_FIELD_CHARS = 1000
MAX_LOGIN_CHARS = 100
MAX_IP_CHARS = 49  # longest IPv6 text (45) + "/128"

IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

_OKTA_ID = re.compile(r"[0-9A-Za-z]{20}")
_SESSION_ID = re.compile(r"[0-9A-Za-z_-]{10,64}")
_LOGIN_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-'@")
_LETTER_CATEGORIES = frozenset(("Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Mn", "Mc"))
_RESERVED_REFS = frozenset(("me",))
_IP_TEXT = re.compile(r"[0-9A-Fa-f:./]+")


def display(value: object, limit: int = 120) -> str:
    """A value as it may appear in a log line or a message: control and non-ASCII characters escaped, cut."""
    text = value if isinstance(value, str) else str(value)
    escaped = text.encode("ascii", "backslashreplace").decode("ascii")
    escaped = "".join(ch if 32 <= ord(ch) < 127 else f"\\x{ord(ch):02x}" for ch in escaped)
    if len(escaped) > limit:
        return f"{escaped[:limit]}...({len(text)} chars)"
    return escaped


def _basic(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise ContainmentRefused(f"{what} is not text")
    if not value:
        raise ContainmentRefused(f"{what} is empty")
    if len(value) > MAX_FIELD_CHARS:
        raise ContainmentRefused(f"{what} is {len(value)} characters long (limit {MAX_FIELD_CHARS})")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for ch in value):
        raise ContainmentRefused(f"{what} contains control or invisible characters")
    if value != value.strip():
        raise ContainmentRefused(f"{what} has leading or trailing whitespace")
    return value


def _check_label(label: str, what: str) -> None:
    if not label:
        raise ContainmentRefused(f"{what} has an empty part (consecutive or edge dots)")
    if not (label[0].isalnum() and label[-1].isalnum()):
        raise ContainmentRefused(f"{what} has a part that starts or ends with punctuation")


def parse_user_ref(value: object) -> str:
    """A user login (email-like or username) or Okta user id, validated; raises ContainmentRefused."""
    ref = _basic(value, "user")
    if len(ref) > MAX_LOGIN_CHARS:
        raise ContainmentRefused(f"user is {len(ref)} characters long (logins are at most {MAX_LOGIN_CHARS})")
    if unicodedata.normalize("NFC", ref) != ref:
        raise ContainmentRefused("user is not in Unicode normal form NFC")
    for ch in ref:
        if ch in _LOGIN_ASCII:
            continue
        if ord(ch) > 127 and unicodedata.category(ch) in _LETTER_CATEGORIES:
            continue
        raise ContainmentRefused(f"user contains the character '{display(ch)}' that no login may contain")
    if ref.lower() in _RESERVED_REFS:
        raise ContainmentRefused(f"user {ref!r} is a reserved alias of the API caller, not a user")
    if ref.count("@") > 1:
        raise ContainmentRefused("user has more than one '@'")
    local, _, domain = ref.partition("@")
    _check_label(local, "user")
    if ".." in local:
        raise ContainmentRefused("user has consecutive dots")
    if "@" in ref:
        labels = domain.split(".")
        if len(labels) < 2:
            raise ContainmentRefused("user's domain has no dot")
        for label in labels:
            _check_label(label, "user's domain")
            if any(not (ch.isalnum() or ch == "-") for ch in label):
                raise ContainmentRefused("user's domain may contain only letters, digits, '-' and dots")
    return ref


def parse_okta_id(value: object, what: str) -> str:
    """An Okta object id (20 letters/digits) for groups and zones; raises ContainmentRefused."""
    ref = _basic(value, what)
    if not _OKTA_ID.fullmatch(ref):
        raise ContainmentRefused(f"{what} {display(ref)} is not an Okta id (20 letters and digits)")
    return ref


def parse_session_id(value: object) -> str:
    """An Okta session id (letters, digits, '-', '_'; 10 to 64 long); raises ContainmentRefused."""
    ref = _basic(value, "session id")
    if not _SESSION_ID.fullmatch(ref):
        raise ContainmentRefused("session id may hold only letters, digits, '-' and '_' (10 to 64 of them)")
    return ref


def parse_ip_target(value: object) -> IPNetwork:
    """An IPv4/IPv6 address (as a /32 or /128 network) or a CIDR with no host bits set.

    Ports, brackets, zone ids (``%eth0``), leading zeros, ranges and any other junk are refused.
    """
    text = _basic(value, "IP")
    if len(text) > MAX_IP_CHARS:
        raise ContainmentRefused(f"IP is {len(text)} characters long; expected an address or CIDR")
    if not _IP_TEXT.fullmatch(text):
        raise ContainmentRefused(f"IP {display(text)} is not an address or CIDR (no port, bracket, zone id)")
    try:
        if "/" in text:
            return ipaddress.ip_network(text, strict=True)
        address = ipaddress.ip_address(text)
    except ValueError as exc:
        raise ContainmentRefused(f"IP {display(text)} is not a valid address or CIDR: {exc}") from None
    return ipaddress.ip_network(f"{address}/{address.max_prefixlen}")
