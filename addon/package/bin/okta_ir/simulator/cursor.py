"""Opaque ``after`` cursors: base64url of a position plus an HMAC tag (clients cannot forge or edit them)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any, Optional

__all__ = ["CursorCodec"]


class CursorCodec:
    """Encode/decode cursor positions with a tamper check keyed per org (stable across restarts)."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _tag(self, body: bytes) -> str:
        return (
            base64.urlsafe_b64encode(hmac.new(self._key, body, hashlib.sha256).digest()[:12])
            .decode()
            .rstrip("=")
        )

    def encode(self, position: dict[str, Any]) -> str:
        """An opaque cursor for ``position``."""
        body = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
        return base64.urlsafe_b64encode(body).decode().rstrip("=") + "." + self._tag(body)

    def decode(self, cursor: str) -> Optional[dict[str, Any]]:
        """The position inside ``cursor``, or None when it is malformed or was tampered with."""
        try:
            payload, tag = cursor.split(".", 1)
            body = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        except (ValueError, TypeError):
            return None
        if not hmac.compare_digest(self._tag(body), tag):
            return None
        try:
            value = json.loads(body)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None
