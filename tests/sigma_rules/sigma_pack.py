"""The content pack as the tests see it: rule files, their test events and expected findings.

Each rule ``<dir>/<name>.yml`` keeps beside it ``<name>.match.jsonl`` (events that must fire),
``<name>.nomatch.jsonl`` (near misses that must not) and ``<name>.expect.json``::

    {"match": [{"rule_id": "<uuid>", "event_uuid": "<uuid>"} | {"rule_id": "<uuid>", "group": {...}}, ...],
     "nomatch": []}
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
RULES_DIR = REPO / "sigma-rules"
STAGE_DIRS = {
    "01-reconnaissance": "reconnaissance",
    "02-initial-compromise": "initial_compromise",
    "03-foothold-escalation": "foothold_escalation",
    "04-mission": "mission",
    "05-okta-native": None,  # Okta's own signals: any stage
}
STAGES = ("reconnaissance", "initial_compromise", "foothold_escalation", "mission")

# One expected or actual outcome: (rule_id, "event", uuid) or (rule_id, "group", ((field, value), ...)).
Outcome = tuple[str, str, Any]


def rule_files() -> list[Path]:
    """Every rule file of the pack, sorted."""
    return sorted(RULES_DIR.rglob("*.yml"))


def companion(rule_file: Path, suffix: str) -> Path:
    """``x.yml`` -> ``x.<suffix>``."""
    return rule_file.with_name(rule_file.stem + "." + suffix)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The events of a JSON-lines file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_expect(rule_file: Path) -> dict[str, list[dict[str, Any]]]:
    """The rule's ``expect.json``."""
    return json.loads(companion(rule_file, "expect.json").read_text(encoding="utf-8"))


def _group_key(group: dict[str, Any]) -> frozenset[tuple[str, str]]:
    # Sigma matching is case-insensitive and the engine reports group values in lower case.
    return frozenset((str(k), str(v).lower()) for k, v in group.items())


def expected_outcomes(entries: Iterable[dict[str, Any]]) -> set[Outcome]:
    """The outcomes an ``expect.json`` list names."""
    out: set[Outcome] = set()
    for entry in entries:
        if "event_uuid" in entry:
            out.add((entry["rule_id"], "event", entry["event_uuid"]))
        else:
            out.add((entry["rule_id"], "group", _group_key(entry["group"])))
    return out


def actual_outcomes(findings: Iterable[Any]) -> set[Outcome]:
    """The outcomes of engine findings, in the same shape."""
    out: set[Outcome] = set()
    for f in findings:
        if f.kind == "event":
            out.update((f.rule_id, "event", u) for u in f.event_uuids)
        else:
            out.add((f.rule_id, "group", _group_key(f.group)))
    return out
