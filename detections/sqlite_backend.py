"""The stock pySigma SQLite backend, taught any-element matching on Okta's arrays of objects.

Scalar fields are plain columns of ``logs``. An array member such as ``target.displayName`` is
evaluated against the JSON array kept in the column of its root (``target``)::

    EXISTS (SELECT 1 FROM json_each(`target`)
            WHERE (json_extract(value, '$.displayName') COLLATE NOCASE) = 'x')

so a rule matches when ANY element matches, and ``not`` means "no element matches" -- the same
meaning as Splunk's multivalue ``target{}.displayName``.
"""

from __future__ import annotations

import re
from typing import Any

from sigma.backends.sqlite import sqliteBackend
from sigma.conditions import ConditionFieldEqualsValueExpression
from sigma.conversion.state import ConversionState
from sigma.types import SigmaCIDRExpression, SigmaFieldReference

from detections.errors import RuleConversionError
from detections.fields import field_by_okta_path, is_known
from detections.pipeline import okta_ir_sqlite_pipeline

__all__ = ["TIMESTAMP_FIELD", "OktaSqliteBackend", "quote_identifier"]

TIMESTAMP_FIELD = "published"
_ELEMENT = "\x00okta_ir_element:"
# value_count over an array member: the metric counts distinct ELEMENT values of each event's array
_DISTINCT_V = re.compile(r"COUNT\(DISTINCT m\.v COLLATE NOCASE\) FROM (\w+) m WHERE")
_DISTINCT_ELEMENTS = r"COUNT(DISTINCT je.value COLLATE NOCASE) FROM \1 m, json_each(m.v) je WHERE"


def quote_identifier(name: str) -> str:
    """SQLite identifier quoting used throughout the engine (backticks, like the backend)."""
    return "`" + name.replace("`", "``") + "`"


class OktaSqliteBackend(sqliteBackend):
    """sqliteBackend + the okta-ir SQLite pipeline + array-member rewriting."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("timestamp_field", TIMESTAMP_FIELD)
        super().__init__(okta_ir_sqlite_pipeline(), **options)

    def escape_and_quote_field(self, field: str) -> str:
        if field.startswith(_ELEMENT):
            spec = field_by_okta_path(field[len(_ELEMENT) :])
            return f"(json_extract(value, '$.{spec.element_path}') COLLATE NOCASE)"
        return super().escape_and_quote_field(field)

    def convert_condition_field_eq_val(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> Any:
        field = cond.field
        if field is None or not is_known(field) or isinstance(cond.value, SigmaCIDRExpression):
            return super().convert_condition_field_eq_val(cond, state)
        spec = field_by_okta_path(field)
        if spec.array_root is None:
            return super().convert_condition_field_eq_val(cond, state)
        if isinstance(cond.value, SigmaFieldReference):
            raise RuleConversionError(f"field reference on array member {field!r} is not supported")
        cond.field = _ELEMENT + spec.okta_path
        try:
            inner = super().convert_condition_field_eq_val(cond, state)
        finally:
            cond.field = field
        return f"EXISTS (SELECT 1 FROM json_each({quote_identifier(spec.array_root)}) WHERE {inner})"

    def convert_correlation_rule(self, rule: Any, output_format: Any = None, method: Any = None,
                                 callback: Any = None) -> Any:
        """Correlations: an array-member ``value_count`` field counts every element's value."""
        for name in rule.group_by or []:
            if is_known(name) and field_by_okta_path(name).is_array:
                raise RuleConversionError(
                    f"correlation {rule.title!r}: group-by on array member {name!r} is not supported"
                )
        queries = super().convert_correlation_rule(rule, output_format, method, callback)
        member = array_value_field(rule)
        if member is None:
            return queries
        rewritten = []
        for query in queries:
            if isinstance(query, dict):  # zircolite format: the materialized plan's stages
                plan = query["correlation_plan"]
                count = 0
                for stage in plan["prepare"]:
                    stage["select"], n = _DISTINCT_V.subn(_DISTINCT_ELEMENTS, stage["select"])
                    count += n
                plan["query"], n = _DISTINCT_V.subn(_DISTINCT_ELEMENTS, plan["query"])
                count += n
                new: Any = query
            else:
                new, count = _DISTINCT_V.subn(_DISTINCT_ELEMENTS, query)
            if count == 0:
                raise RuleConversionError(
                    f"correlation {rule.title!r}: cannot count values of array member {member!r}"
                )
            rewritten.append(new)
        return rewritten

    def required_fields(self, rule: Any) -> Any:
        """Columns a rule reads: array members count as their root column."""
        fields = super().required_fields(rule)
        out = []
        for name in fields:
            root = field_by_okta_path(name).array_root if is_known(name) else None
            out.append(root or name)
        return sorted(set(out))


def array_value_field(rule: Any) -> str | None:
    """The array-member Okta path a value_count correlation counts, or None."""
    ref = getattr(rule.condition, "fieldref", None)
    if isinstance(ref, str) and is_known(ref) and field_by_okta_path(ref).is_array:
        return field_by_okta_path(ref).okta_path
    return None


def member_array_sql(okta_path: str) -> str:
    """SQL computing, for one row of ``logs``, the JSON array of an array member's values."""
    spec = field_by_okta_path(okta_path)
    return (
        f"(SELECT json_group_array(json_extract(value, '$.{spec.element_path}')) "
        f"FROM json_each({quote_identifier(spec.array_root or '')}))"
    )


def backend_options() -> dict[str, Any]:
    """Options the engine passes (kept in one place for tests)."""
    return {"timestamp_field": TIMESTAMP_FIELD}
