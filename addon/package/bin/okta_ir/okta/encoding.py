"""base64url (RFC 7515 §2, no padding) and the big-endian integer form JWKs use."""

from __future__ import annotations

import base64
import json
from typing import Any

__all__ = ["b64url_decode", "b64url_encode", "b64url_json", "b64url_to_int", "int_to_b64url"]


def b64url_encode(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Inverse of b64url_encode; ValueError on characters outside the base64url alphabet."""
    if not isinstance(text, str):
        raise ValueError("base64url value must be a string")
    raw = text.encode("ascii")
    if any(c not in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for c in raw):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))


def b64url_json(value: Any) -> str:
    """Compact JSON (no spaces) then base64url: the JWS header/payload encoding."""
    return b64url_encode(json.dumps(value, separators=(",", ":"), sort_keys=False).encode("utf-8"))


def int_to_b64url(value: int, length: int = 0) -> str:
    """Unsigned big-endian integer, left-padded to ``length`` bytes (0: minimal), base64url."""
    size = max(length, (value.bit_length() + 7) // 8, 1)
    return b64url_encode(value.to_bytes(size, "big"))


def b64url_to_int(text: str) -> int:
    """Inverse of int_to_b64url."""
    return int.from_bytes(b64url_decode(text), "big")
