"""The simulator's view of an HTTP exchange: a parsed request and the response to send."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional

__all__ = ["Request", "Response", "empty_response", "json_response"]


@dataclass
class Request:
    """A parsed request (header names lower-cased)."""

    method: str
    path: str
    query: str
    params: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    client_ip: str
    base_url: str
    principal: Any = None

    def json(self) -> Any:
        """The body parsed as JSON (ValueError when it is not)."""
        return json.loads(self.body.decode("utf-8") or "null")

    def param(self, name: str) -> Optional[str]:
        """First value of a query parameter."""
        values = self.params.get(name)
        return values[0] if values else None


@dataclass
class Response:
    """A response; ``action`` = "reset" / "timeout" makes the server misbehave instead of answering."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    action: Optional[str] = None
    content_type: Optional[str] = "application/json;charset=UTF-8"


def json_response(status: int, value: Any, headers: Optional[list[tuple[str, str]]] = None) -> Response:
    """A JSON response."""
    return Response(status, json.dumps(value, separators=(",", ":")).encode(), list(headers or []))


def empty_response(status: int = 204, headers: Optional[list[tuple[str, str]]] = None) -> Response:
    """A response without body."""
    return Response(status, b"", list(headers or []), content_type=None)
