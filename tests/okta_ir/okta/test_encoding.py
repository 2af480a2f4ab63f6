"""base64url and JWK integer encoding."""

from __future__ import annotations

import pytest
from okta_ir.okta.encoding import b64url_decode, b64url_encode, b64url_json, b64url_to_int, int_to_b64url


def test_base64url_without_padding_round_trip() -> None:
    for data in (b"", b"\xff", b"\xfb\xff", b"any carnal pleas"):
        text = b64url_encode(data)
        assert "=" not in text and "+" not in text and "/" not in text
        assert b64url_decode(text) == data
    assert b64url_encode(b"\xfb\xff\xfe") == "-__-"
    with pytest.raises(ValueError):
        b64url_decode("ab+c")
    with pytest.raises(ValueError):
        b64url_decode("a=")


def test_json_is_compact() -> None:
    assert b64url_decode(b64url_json({"a": 1, "b": [1, 2]})) == b'{"a":1,"b":[1,2]}'


def test_integers() -> None:
    assert int_to_b64url(65537) == "AQAB"
    assert b64url_to_int("AQAB") == 65537
    assert int_to_b64url(1, 32) == "A" * 42 + "E"  # left-padded to 32 bytes (P-256 coordinates)
    assert int_to_b64url(0) == "AA"
