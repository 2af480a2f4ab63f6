"""Loading Sigma rules and reading the metadata okta-ir keeps in them (stage, MITRE ids, responses).

Conventions read from a rule:

* stage: a tag ``okta_ir.stage.<name>`` (reconnaissance, initial_compromise, foothold_escalation,
  mission...); a correlation without one inherits the first stage of the rules it references.
* MITRE ATT&CK technique ids: tags ``attack.tNNNN`` / ``attack.tNNNN.NNN`` -> ``TNNNN(.NNN)``.
* responses: the custom field ``okta_ir.response: [alert_action_name, ...]``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Union

import yaml
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule

from detections.errors import RuleConversionError

__all__ = [
    "DEFAULT_RULES_DIR",
    "AnyRule",
    "attack_ids",
    "fresh_copy",
    "load_rules",
    "responses",
    "rule_files",
    "rule_name",
    "snake",
    "stage",
]

AnyRule = Union[SigmaRule, SigmaCorrelationRule]

#: The repository's rule directory (sibling of the ``detections`` package).
DEFAULT_RULES_DIR = Path(__file__).resolve().parent.parent / "sigma-rules"

_RULE_SUFFIXES = (".yml", ".yaml")


def rule_files(paths: str | Path | Sequence[str | Path]) -> list[Path]:
    """The rule files named by ``paths`` (files, or directories searched recursively), sorted."""
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    files: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in _RULE_SUFFIXES and p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise RuleConversionError(
                f"rule path {str(path)!r} does not exist: pass a Sigma file or directory"
            )
    return files


def load_rules(paths: str | Path | Sequence[str | Path]) -> SigmaCollection:
    """Parse Sigma rule files/directories into one collection with correlation references resolved.

    Raises :class:`RuleConversionError` naming the file on YAML or Sigma syntax errors.
    """
    rules: list[Any] = []
    for file in rule_files(paths):
        try:
            collection = SigmaCollection.from_yaml(file.read_text(encoding="utf-8"), collect_errors=False)
        except (SigmaError, ValueError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise RuleConversionError(f"{file}: not a valid Sigma rule: {exc}") from None
        rules.extend(collection.rules)
    merged = SigmaCollection(list(rules))
    try:
        merged.resolve_rule_references()
    except SigmaError as exc:
        raise RuleConversionError(f"correlation references: {exc}") from None
    return merged


def fresh_copy(collection: SigmaCollection) -> SigmaCollection:
    """A deep copy, so that a backend's pipeline (which edits rules in place) leaves the caller's intact."""
    return copy.deepcopy(collection)


def rule_name(rule: AnyRule) -> str:
    """The rule's title, or its id when untitled."""
    return rule.title or str(rule.id or "untitled rule")


def _tags(rule: AnyRule) -> list[str]:
    return [f"{t.namespace}.{t.name}".lower() for t in (rule.tags or [])]


def stage(rule: AnyRule) -> str:
    """The lifecycle stage from the ``okta_ir.stage.<name>`` tag ('' when none)."""
    for tag in _tags(rule):
        if tag.startswith("okta_ir.stage."):
            return tag[len("okta_ir.stage.") :]
    if isinstance(rule, SigmaCorrelationRule):
        for ref in rule.rules or []:
            if ref.rule is not None:
                inherited = stage(ref.rule)
                if inherited:
                    return inherited
    return ""


def attack_ids(rule: AnyRule) -> list[str]:
    """MITRE ATT&CK technique ids from ``attack.tNNNN[.NNN]`` tags, upper-cased, in tag order."""
    ids: list[str] = []
    for tag in _tags(rule):
        match = re.fullmatch(r"attack\.(t\d{4}(?:\.\d{3})?)", tag)
        if match and match.group(1).upper() not in ids:
            ids.append(match.group(1).upper())
    return ids


def responses(rule: AnyRule) -> list[str]:
    """Alert action names from the custom field ``okta_ir.response`` (a name or a list)."""
    value = (rule.custom_attributes or {}).get("okta_ir.response")
    if value is None:
        return []
    names: Iterable[object] = [value] if isinstance(value, str) else value
    result = [str(n) for n in names]
    for name in result:
        if not re.fullmatch(r"[a-z0-9_]+", name):
            raise RuleConversionError(
                f"rule {rule_name(rule)!r}: okta_ir.response entry {name!r} is not an alert action name"
            )
    return result


def snake(title: str) -> str:
    """``Okta Password Spray`` -> ``okta_password_spray`` (for macro and finding keys)."""
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")
