"""Typed errors of the detection toolchain (all are :class:`okta_ir.errors.OktaIRError`)."""

from __future__ import annotations

from okta_ir.errors import OktaIRError

__all__ = [
    "DetectionError",
    "FilterSyntaxError",
    "HuntInputError",
    "RuleConversionError",
    "UnknownFieldError",
]


class DetectionError(OktaIRError):
    """Base of the detection toolchain's errors."""


class UnknownFieldError(DetectionError, KeyError):
    """A rule or expression names an Okta field that the field map does not know."""

    def __init__(self, field: str, rule: str = "") -> None:
        where = f"rule {rule!r}: " if rule else ""
        super().__init__(
            f"{where}unknown Okta field {field!r}; use a System Log path listed in detections/fields.py "
            "(e.g. 'client.ipAddress', 'target.displayName') or add it there"
        )
        self.field = field
        self.rule = rule

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class RuleConversionError(DetectionError):
    """A Sigma rule could not be loaded or converted; the message names the rule and the cause."""


class HuntInputError(DetectionError):
    """An events file cannot be read at all (missing, a directory, not text)."""


class FilterSyntaxError(DetectionError):
    """An Okta filter expression is malformed; carries the position and a caret line."""

    def __init__(self, message: str, expression: str, position: int) -> None:
        caret = " " * position + "^"
        super().__init__(f"{message} at position {position}\n  {expression}\n  {caret}")
        self.expression = expression
        self.position = position
        self.reason = message
