"""The System Log ``filter`` language (SCIM subset): parse once, evaluate against event dicts.

Operators ``eq ne gt ge lt le sw ew co pr``, ``and or not`` and parentheses, dotted attribute paths
(``target.id`` matches any element of the array). String comparisons are case-insensitive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Union

__all__ = ["FILTERABLE_ROOTS", "Filter", "FilterError", "SearchCriteriaError", "parse_filter"]

FILTERABLE_ROOTS = frozenset(
    {
        "actor",
        "authenticationContext",
        "client",
        "debugContext",
        "displayMessage",
        "eventType",
        "legacyEventType",
        "outcome",
        "request",
        "securityContext",
        "severity",
        "target",
        "transaction",
        "uuid",
        "version",
    }
)
_OPS = ("eq", "ne", "gt", "ge", "lt", "le", "sw", "ew", "co")
_NO_CONTAINS = ("debugContext.debugData.url", "debugContext.debugData.requestUri")
_TOKEN = re.compile(r'\s*(?:(\()|(\))|("(?:[^"\\]|\\.)*")|([^\s()"]+))')
_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class FilterError(ValueError):
    """The filter does not parse or names something that cannot be filtered (E0000053)."""


class SearchCriteriaError(ValueError):
    """A valid filter that Okta refuses to run (E0000031: ``co`` on the URL fields)."""


@dataclass(frozen=True)
class _Cmp:
    path: tuple[str, ...]
    op: str
    value: Any


@dataclass(frozen=True)
class _Bool:
    op: str  # "and" | "or"
    left: _Node
    right: _Node


@dataclass(frozen=True)
class _Not:
    inner: _Node


_Node = Union[_Cmp, _Bool, _Not]


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise FilterError(f"unexpected character at position {pos}")
        out.append(next(g for g in m.groups() if g is not None))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.t = tokens
        self.i = 0

    def peek(self) -> str:
        return self.t[self.i] if self.i < len(self.t) else ""

    def take(self) -> str:
        if self.i >= len(self.t):
            raise FilterError("filter ends too early")
        self.i += 1
        return self.t[self.i - 1]

    def expr(self) -> _Node:
        node = self.conj()
        while self.peek().lower() == "or":
            self.take()
            node = _Bool("or", node, self.conj())
        return node

    def conj(self) -> _Node:
        node = self.unary()
        while self.peek().lower() == "and":
            self.take()
            node = _Bool("and", node, self.unary())
        return node

    def unary(self) -> _Node:
        if self.peek().lower() == "not":
            self.take()
            return _Not(self.unary())
        if self.peek() == "(":
            self.take()
            node = self.expr()
            if self.take() != ")":
                raise FilterError("missing closing parenthesis")
            return node
        return self.comparison()

    def comparison(self) -> _Node:
        attr = self.take()
        if not _PATH.match(attr):
            raise FilterError(f"{attr!r} is not an attribute path")
        path = tuple(attr.split("."))
        if path[0] == "published":
            raise FilterError("published cannot be filtered; use since and until")
        if path[0] not in FILTERABLE_ROOTS:
            raise FilterError(f"unknown attribute {attr!r}")
        op = self.take().lower()
        if op == "pr":
            return _Cmp(path, "pr", None)
        if op not in _OPS:
            raise FilterError(f"unknown operator {op!r}")
        if op == "co" and attr in _NO_CONTAINS:
            raise SearchCriteriaError(f"'co' is not supported on {attr}")
        return _Cmp(path, op, _literal(self.take()))


def _literal(token: str) -> Any:
    if token.startswith('"'):
        return re.sub(r"\\(.)", r"\1", token[1:-1])
    low = token.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "null":
        return None
    try:
        return int(token)
    except ValueError:
        pass
    try:
        return float(token)
    except ValueError:
        raise FilterError(f"{token!r} is not a value (quote strings)") from None


def _values(obj: Any, path: tuple[str, ...]) -> list[Any]:
    current = [obj]
    for key in path:
        nxt: list[Any] = []
        for item in current:
            if isinstance(item, list):
                for el in item:
                    if isinstance(el, dict) and key in el:
                        nxt.append(el[key])
            elif isinstance(item, dict) and key in item:
                nxt.append(item[key])
        current = nxt
    flat: list[Any] = []
    for v in current:
        if isinstance(v, list):
            flat.extend(v)
        else:
            flat.append(v)
    return flat


def _norm(v: Any) -> Any:
    if isinstance(v, str):
        return v.lower()
    return v


def _compare(actual: Any, op: str, wanted: Any) -> bool:
    if actual is None:
        return op == "eq" and wanted is None
    if isinstance(wanted, bool) or isinstance(actual, bool):
        a = actual if isinstance(actual, bool) else str(actual).lower() == "true"
        return (a == wanted) if op == "eq" else (a != wanted) if op == "ne" else False
    if isinstance(wanted, (int, float)) and not isinstance(actual, (int, float)):
        try:
            actual = float(actual)
        except (TypeError, ValueError):
            return False
    if isinstance(actual, (int, float)) and isinstance(wanted, str):
        actual = str(actual)
    a, w = _norm(actual), _norm(wanted)
    if op == "eq":
        return bool(a == w)
    if op == "ne":
        return bool(a != w)
    if op in ("sw", "ew", "co"):
        if not isinstance(a, str) or not isinstance(w, str):
            return False
        return a.startswith(w) if op == "sw" else a.endswith(w) if op == "ew" else w in a
    try:
        return (
            bool(a > w)
            if op == "gt"
            else bool(a >= w)
            if op == "ge"
            else bool(a < w)
            if op == "lt"
            else bool(a <= w)
        )
    except TypeError:
        return False


def _eval(node: _Node, event: Any) -> bool:
    if isinstance(node, _Bool):
        if node.op == "and":
            return _eval(node.left, event) and _eval(node.right, event)
        return _eval(node.left, event) or _eval(node.right, event)
    if isinstance(node, _Not):
        return not _eval(node.inner, event)
    values = _values(event, node.path)
    if node.op == "pr":
        return any(v not in (None, "", [], {}) for v in values)
    if node.op == "ne":
        return not any(_compare(v, "eq", node.value) for v in values)
    return any(_compare(v, node.op, node.value) for v in values)


class Filter:
    """A parsed filter expression."""

    def __init__(self, root: _Node, text: str) -> None:
        self._root = root
        self.text = text

    def matches(self, event: Any) -> bool:
        """Whether ``event`` (a LogEvent dict) satisfies the filter."""
        return _eval(self._root, event)


def parse_filter(text: str) -> Filter:
    """Parse a filter; raises FilterError (E0000053) or SearchCriteriaError (E0000031)."""
    if not text.strip():
        raise FilterError("empty filter")
    if len(text) > 4096:
        raise FilterError("filter too long")
    parser = _Parser(_tokens(text))
    root = parser.expr()
    if parser.i != len(parser.t):
        raise FilterError(f"unexpected {parser.t[parser.i]!r}")
    return Filter(root, text)
