"""Okta System Log filter expressions -> a Sigma rule -> SPL (Splunk) / SQL (SQLite) / Sigma YAML.

Grammar (SCIM filter, as the System Log API accepts it)::

    expr    := and ("or" and)*
    and     := unary ("and" unary)*
    unary   := "not" unary | "(" expr ")" | path "pr" | path OP value
    OP      := eq ne gt ge lt le sw ew co          (keywords are case-insensitive)
    value   := "string" (JSON escapes) | number | true | false | null

Each comparison becomes one Sigma selection (``eq`` -> equals, ``sw``/``ew``/``co`` -> startswith /
endswith / contains, ``gt``.. -> ``|gt``.., ``pr`` -> ``|exists``, ``ne`` -> ``not`` of an equals); the
boolean structure becomes the Sigma condition. Paths must be in the field map. A malformed
expression raises :class:`FilterSyntaxError` with the character position and a caret line.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any, Union

import yaml
from sigma.collection import SigmaCollection

from detections.errors import FilterSyntaxError
from detections.fields import field_by_okta_path, is_known

__all__ = [
    "Comparison",
    "Logical",
    "Not",
    "parse",
    "to_collection",
    "to_sigma",
    "to_sigma_yaml",
    "to_spl",
    "to_sql",
]

_OPS = ("eq", "ne", "gt", "ge", "lt", "le", "sw", "ew", "co", "pr")
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<lparen>\() | (?P<rparen>\)) |
        (?P<string>"(?:[^"\\]|\\.)*") |
        (?P<number>-?\d+(?:\.\d+)?(?![\w.])) |
        (?P<word>[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Comparison:
    """``path op value`` (value None for ``pr``)."""

    path: str
    op: str
    value: Union[str, float, int, bool, None]
    position: int


@dataclass(frozen=True)
class Not:
    """``not expr``."""

    operand: Node


@dataclass(frozen=True)
class Logical:
    """``and`` / ``or`` of two or more operands."""

    op: str
    operands: tuple[Node, ...]


Node = Union[Comparison, Not, Logical]


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    pos: int


def _tokenize(expression: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(expression):
        if expression[pos:].strip() == "":
            break
        match = _TOKEN.match(expression, pos)
        if match is None or match.lastgroup is None:
            start = pos + (len(expression[pos:]) - len(expression[pos:].lstrip()))
            if expression[start] == '"':
                raise FilterSyntaxError("unterminated string", expression, start)
            raise FilterSyntaxError(f"unexpected character {expression[start]!r}", expression, start)
        start = match.start(match.lastgroup)
        tokens.append(_Tok(match.lastgroup, match.group(match.lastgroup), start))
        pos = match.end()
    tokens.append(_Tok("end", "", len(expression)))
    return tokens


class _Parser:
    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.tokens = _tokenize(expression)
        self.index = 0

    def fail(self, message: str, token: _Tok) -> FilterSyntaxError:
        return FilterSyntaxError(message, self.expression, token.pos)

    @property
    def current(self) -> _Tok:
        return self.tokens[self.index]

    def keyword(self, word: str) -> bool:
        tok = self.current
        if tok.kind == "word" and tok.text.lower() == word:
            self.index += 1
            return True
        return False

    def parse(self) -> Node:
        if self.current.kind == "end":
            raise self.fail("empty filter expression", self.current)
        node = self.expr()
        if self.current.kind != "end":
            raise self.fail(f"expected 'and', 'or' or the end, found {self.current.text!r}", self.current)
        return node

    def expr(self) -> Node:
        operands = [self.conjunction()]
        while self.keyword("or"):
            operands.append(self.conjunction())
        return operands[0] if len(operands) == 1 else Logical("or", tuple(operands))

    def conjunction(self) -> Node:
        operands = [self.unary()]
        while self.keyword("and"):
            operands.append(self.unary())
        return operands[0] if len(operands) == 1 else Logical("and", tuple(operands))

    def unary(self) -> Node:
        tok = self.current
        if self.keyword("not"):
            return Not(self.unary())
        if tok.kind == "lparen":
            self.index += 1
            node = self.expr()
            if self.current.kind != "rparen":
                raise self.fail("expected ')'", self.current)
            self.index += 1
            return node
        if tok.kind != "word" or tok.text.lower() in ("and", "or"):
            raise self.fail("expected an attribute path, 'not' or '('", tok)
        return self.comparison()

    def comparison(self) -> Comparison:
        path_tok = self.current
        if not is_known(path_tok.text):
            raise self.fail(f"unknown System Log attribute {path_tok.text!r}", path_tok)
        path = field_by_okta_path(path_tok.text).okta_path
        self.index += 1
        op_tok = self.current
        op = op_tok.text.lower()
        if op_tok.kind != "word" or op not in _OPS:
            raise self.fail("expected an operator (eq ne gt ge lt le sw ew co pr)", op_tok)
        self.index += 1
        if op == "pr":
            return Comparison(path, op, None, path_tok.pos)
        return Comparison(path, op, self.value(op), path_tok.pos)

    def value(self, op: str) -> Union[str, float, int, bool, None]:
        tok = self.current
        self.index += 1
        value: Union[str, float, int, bool, None]
        if tok.kind == "string":
            try:
                value = json.loads(tok.text)
            except ValueError:
                raise self.fail("invalid escape in string", tok) from None
        elif tok.kind == "number":
            value = float(tok.text) if "." in tok.text else int(tok.text)
        elif tok.kind == "word" and tok.text.lower() in ("true", "false"):
            value = tok.text.lower() == "true"
        elif tok.kind == "word" and tok.text.lower() == "null":
            value = None
        else:
            raise self.fail('expected a value ("string", number, true, false or null)', tok)
        if op in ("gt", "ge", "lt", "le") and (
            isinstance(value, bool) or not isinstance(value, (int, float))
        ):
            raise self.fail(f"'{op}' needs a number here", tok)
        if op in ("sw", "ew", "co") and not isinstance(value, str):
            raise self.fail(f"'{op}' needs a string", tok)
        return value


def parse(expression: str) -> Node:
    """Parse an Okta filter expression into a tree; raises :class:`FilterSyntaxError`."""
    return _Parser(expression).parse()


_MODIFIER = {
    "eq": "",
    "ne": "",
    "sw": "|startswith",
    "ew": "|endswith",
    "co": "|contains",
    "gt": "|gt",
    "ge": "|gte",
    "lt": "|lt",
    "le": "|lte",
    "pr": "|exists",
}


def _sigma_value(value: Any) -> Any:
    if isinstance(value, str):
        # Sigma wildcards and escapes: the filter's value is literal text
        return value.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")
    return value


def _condition(node: Node, selections: dict[str, dict[str, Any]], top: bool = True) -> str:
    if isinstance(node, Comparison):
        name = f"sel{len(selections) + 1}"
        value = True if node.op == "pr" else _sigma_value(node.value)
        selections[name] = {node.path + _MODIFIER[node.op]: value}
        return f"not {name}" if node.op == "ne" else name
    if isinstance(node, Not):
        return f"not ({_condition(node.operand, selections, False)})"
    text = f" {node.op} ".join(_condition(o, selections, False) for o in node.operands)
    return text if top else f"({text})"


def to_sigma(expression: str, title: str = "") -> dict[str, Any]:
    """The Sigma rule (as a dict) that means the expression."""
    tree = parse(expression)
    selections: dict[str, dict[str, Any]] = {}
    condition = _condition(tree, selections)
    detection: dict[str, Any] = dict(selections)
    detection["condition"] = condition
    return {
        "title": title or f"Okta filter: {expression.strip()}"[:200],
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, "okta-ir:filter:" + expression.strip())),
        "status": "experimental",
        "description": f"Translated by okta-ir from the Okta System Log filter: {expression.strip()}",
        "logsource": {"product": "okta", "service": "okta"},
        "detection": detection,
        "level": "informational",
    }


def to_collection(expression: str) -> SigmaCollection:
    """The expression as a one-rule SigmaCollection (e.g. for :meth:`HuntEngine.run`)."""
    return SigmaCollection.from_dicts([to_sigma(expression)])


def to_sigma_yaml(expression: str) -> str:
    """The Sigma rule as YAML text."""
    return yaml.safe_dump(to_sigma(expression), sort_keys=False, allow_unicode=True)


def to_spl(expression: str) -> str:
    """The Splunk search (starting with the `okta` macro)."""
    from detections.splunk import OKTA_MACRO, _backend

    backend = _backend()
    [query] = backend.convert(to_collection(expression))
    return f"{OKTA_MACRO} {query}"


def to_sql(expression: str) -> str:
    """The SQLite query over the engine's ``logs`` table."""
    from detections.sqlite_backend import OktaSqliteBackend

    [query] = OktaSqliteBackend().convert(to_collection(expression))
    return str(query)
