"""pySigma processing pipelines for Okta System Log rules (``logsource: product okta, service okta``).

* :func:`okta_ir_pipeline` -- for the stock Splunk backend: Okta paths -> Splunk JSON field names
  (``target.displayName`` -> ``target{}.displayName``); searches start with the `` `okta` `` macro.
* :func:`okta_ir_sqlite_pipeline` -- for the SQLite engine: field names -> canonical Okta paths
  (``eventtype`` -> ``eventType``), the engine's column names.

Both refuse a field the field map does not know with :class:`UnknownFieldError` naming rule and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sigma.correlations import SigmaCorrelationRule
from sigma.processing.conditions import LogsourceCondition, RuleProcessingItemAppliedCondition
from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.transformations import RuleFailureTransformation
from sigma.processing.transformations.base import FieldMappingTransformationBase
from sigma.rule import SigmaRule

from detections.fields import field_by_okta_path

__all__ = ["OKTA_MACRO", "OktaFieldMapping", "okta_ir_pipeline", "okta_ir_sqlite_pipeline"]

#: The search macro every Splunk search starts with (admins add ``index=...`` to it).
OKTA_MACRO = "`okta`"


@dataclass
class OktaFieldMapping(FieldMappingTransformationBase):
    """Map every field name through the field map; an unknown field raises UnknownFieldError."""

    target: str = "splunk"  # "splunk" | "sqlite"

    def __post_init__(self) -> None:
        self._rule_title = ""

    def apply(self, rule: SigmaRule | SigmaCorrelationRule) -> None:
        self._rule_title = rule.title or str(rule.id or "")
        super().apply(rule)

    def apply_field_name(self, field: str | None) -> str | list[str] | None:
        if field is None:  # keyword search: left to the backend
            return None
        spec = field_by_okta_path(field, self._rule_title)
        return spec.splunk_field if self.target == "splunk" else spec.sqlite_column


def _okta_logsource() -> list[Any]:
    return [LogsourceCondition(product="okta", service="okta")]


def _pipeline(target: str, name: str, priority: int) -> ProcessingPipeline:
    return ProcessingPipeline(
        name=name,
        allowed_backends=frozenset(),
        priority=priority,
        items=[
            ProcessingItem(
                identifier="okta_ir_fields",
                transformation=OktaFieldMapping(target=target),
                rule_conditions=_okta_logsource(),
            ),
            ProcessingItem(
                identifier="okta_ir_logsource",
                transformation=RuleFailureTransformation(
                    "rule is not for the Okta System Log: okta-ir compiles only rules with "
                    "'logsource: {product: okta, service: okta}'"
                ),
                rule_condition_linking=any,
                rule_condition_negation=True,
                rule_conditions=[RuleProcessingItemAppliedCondition("okta_ir_fields")],
            ),
        ],
    )


def okta_ir_pipeline() -> ProcessingPipeline:
    """Splunk pipeline: Okta JSON paths -> Splunk (KV_MODE=json) field names; non-Okta rules refused."""
    return _pipeline("splunk", "okta-ir: Okta System Log to Splunk OktaIM2:log", 20)


def okta_ir_sqlite_pipeline() -> ProcessingPipeline:
    """SQLite pipeline: field names -> canonical Okta paths (the engine's columns)."""
    return _pipeline("sqlite", "okta-ir: Okta System Log to SQLite", 20)
