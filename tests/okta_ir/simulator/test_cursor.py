"""Opaque cursors: round trip, tamper detection, per-org keys."""

from __future__ import annotations

import base64

from okta_ir.simulator.cursor import CursorCodec


def test_round_trip_and_opaque() -> None:
    codec = CursorCodec(b"k" * 32)
    cursor = codec.encode({"m": "p", "p": 1234})
    assert "1234" not in cursor
    assert codec.decode(cursor) == {"m": "p", "p": 1234}


def test_edited_payload_or_tag_or_other_key_is_rejected() -> None:
    codec = CursorCodec(b"k" * 32)
    payload, tag = codec.encode({"m": "p", "p": 5}).split(".")
    forged = base64.urlsafe_b64encode(b'{"m":"p","p":6}').decode().rstrip("=")
    assert codec.decode(f"{forged}.{tag}") is None
    assert codec.decode(f"{payload}.{tag[:-1]}A") is None
    assert codec.decode(payload) is None
    assert codec.decode("!!!.???") is None
    assert CursorCodec(b"x" * 32).decode(f"{payload}.{tag}") is None
