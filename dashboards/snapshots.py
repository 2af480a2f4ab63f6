"""Each dashboard's data-source snapshots, computed from a scenario with the project's own code.

``snapshots_for(name, scenario)`` returns ``{data_source_id: snapshot}`` for one dashboard: the overview
and investigation from the events (``dashboards.views``), the lifecycle from the hunt engine's findings
(one hit per matched event of a single-event rule, one per group of a correlation), the detections
dashboard from the findings (each finding is one ``alert_fired`` of its saved search) and the containment
audit events (sourcetype ``okta:ir:action``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dashboards import views
from dashboards.tabulate import Event, Snapshot, ctime, event_time, first_last, path, snapshot, timechart
from detections.dashboards import ENTITY_FIELDS, rules_by_stage
from detections.engine import Finding
from detections.rules import rule_name

CONTAINING = {"suspend": ("suspension", "SUSPENDED"), "quarantine": ("quarantine", "QUARANTINED")}
RELEASING = {"unsuspend": "suspension", "unquarantine": "quarantine"}


@dataclass
class Scenario:
    """What the dashboards show: events, the rules, the findings of those rules, containment audit events."""

    events: Sequence[Event]
    rules: Any  # SigmaCollection
    findings: Sequence[Finding]
    audit: Sequence[Mapping[str, Any]] = field(default_factory=list)
    pivot: str = "*"  # the investigation's any-value pivot (its input's default value)

    def by_uuid(self) -> dict[str, Event]:
        """Events keyed by uuid."""
        return {str(e.get("uuid")): e for e in self.events}


def _entity_of_event(event: Event) -> Any:
    for name in ENTITY_FIELDS:
        value = path(event, name)
        if isinstance(value, list):
            value = value[0] if value else None
        if value not in (None, ""):
            return value
    return None


def _hits(scenario: Scenario, rule_titles: set[str]) -> list[dict[str, Any]]:
    """One row per result row the stage's saved searches would return: published, rule, entity."""
    events = scenario.by_uuid()
    hits: list[dict[str, Any]] = []
    for finding in scenario.findings:
        if finding.title not in rule_titles:
            continue
        if finding.kind == "correlation":
            entity = next((finding.group[k] for k in ENTITY_FIELDS if finding.group.get(k)), None)
            if entity is None and finding.group:
                entity = next(iter(finding.group.values()))
            hits.append({"published": finding.first_seen, "rule": finding.title, "entity": entity})
            continue
        for uuid in finding.event_uuids:
            event = events.get(uuid)
            if event is not None:
                hits.append(
                    {
                        "published": event["published"],
                        "rule": finding.title,
                        "entity": _entity_of_event(event),
                    }
                )
    return hits


def lifecycle(scenario: Scenario) -> dict[str, Snapshot]:
    """Every data source of the generated lifecycle dashboard."""
    result: dict[str, Snapshot] = {}
    for stage_name, rules in rules_by_stage(scenario.rules):
        hits = _hits(scenario, {rule_name(r) for r in rules})
        result[f"ds_{stage_name}_hits"] = timechart(hits, lambda h: h["rule"], limit=10, useother=True)
        per_entity: dict[str, list[dict[str, Any]]] = {}
        for hit in hits:
            if hit["entity"] not in (None, ""):
                per_entity.setdefault(str(hit["entity"]), []).append(hit)
        rows: list[list[Any]] = [
            [entity, len(members), len({m["rule"] for m in members}), sorted({m["rule"] for m in members})]
            for entity, members in per_entity.items()
        ]
        rows.sort(key=lambda r: (-r[1], r[0]))
        result[f"ds_{stage_name}_entities"] = snapshot(["entity", "hits", "rules", "rule"], rows[:10])
    return result


def _splunk_value(value: Any) -> Any:
    """A JSON value as Splunk's search results show it (booleans as true/false)."""
    return str(value).lower() if isinstance(value, bool) else value


def _audit_time(record: Mapping[str, Any]) -> dt.datetime:
    return event_time({"published": record["time"]})


def _contained(audit: Sequence[Mapping[str, Any]]) -> Snapshot:
    state: dict[tuple[str, str], tuple[str, dt.datetime, str]] = {}
    for record in sorted(audit, key=_audit_time):
        action = str(record.get("action"))
        if record.get("outcome") != "success" or str(record.get("dry_run")).lower() != "false":
            continue
        if action in CONTAINING:
            kind, label = CONTAINING[action]
        elif action in RELEASING:
            kind, label = RELEASING[action], "released"
        else:
            continue
        state[(str(record.get("target")), kind)] = (
            label,
            _audit_time(record),
            str(record.get("search_name")),
        )
    rows = [
        [target, label, ctime(since), search]
        for (target, _kind), (label, since, search) in sorted(state.items())
        if label != "released"
    ]
    return snapshot(["target", "state", "since", "search_name"], rows)


def detections(scenario: Scenario) -> dict[str, Snapshot]:
    """Every data source of ``detections.json``."""
    fired = [
        {"published": f.first_seen, "ss_name": f.title, "severity": f.level}
        for f in scenario.findings
        if f.first_seen
    ]
    per_search: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for alert in fired:
        per_search.setdefault((alert["ss_name"], alert["severity"]), []).append(alert)
    fired_rows: list[list[Any]] = []
    for (name, severity), alerts in per_search.items():
        first, last = first_last(event_time(a) for a in alerts)
        fired_rows.append([name, severity, len(alerts), first, last])
    fired_rows.sort(key=lambda r: (r[4], r[0]), reverse=True)
    audit = sorted(scenario.audit, key=_audit_time)
    acted: dict[str, list[Mapping[str, Any]]] = {}
    for record in audit:
        acted.setdefault(str(record.get("search_name")), []).append(record)
    acted_rows: list[list[Any]] = [
        [
            name,
            len(records),
            sorted({str(r.get("target")) for r in records}),
            sorted({str(r.get("action")) for r in records}),
        ]
        for name, records in acted.items()
    ]
    acted_rows.sort(key=lambda r: (-r[1], r[0]))
    outcomes: dict[str, int] = {}
    for record in audit:
        outcomes[str(record.get("outcome"))] = outcomes.get(str(record.get("outcome")), 0) + 1
    columns = ["search_name", "action", "target", "outcome", "dry_run", "error_code", "error_id", "owner"]
    return {
        "ds_fired_over_time": timechart(fired, lambda a: a["ss_name"]),
        "ds_fired": snapshot(
            ["ss_name", "severity", "fired", "first_fired", "last_fired"],
            [[*r[:3], ctime(r[3]), ctime(r[4])] for r in fired_rows],
        ),
        "ds_acted_on": snapshot(["search_name", "actions", "targets", "actions_taken"], acted_rows),
        "ds_actions": snapshot(
            ["time", *columns],
            [
                [_audit_time(r).strftime("%Y-%m-%dT%H:%M:%S"), *[_splunk_value(r.get(c)) for c in columns]]
                for r in reversed(audit)
            ],
        ),
        "ds_outcomes": snapshot(["outcome", "count"], sorted(outcomes.items())),
        "ds_contained": _contained(audit),
    }


def snapshots_for(name: str, scenario: Scenario) -> dict[str, Snapshot]:
    """The snapshots of dashboard ``name`` (overview, investigation, lifecycle, detections)."""
    if name == "overview":
        return views.overview(scenario.events)
    if name == "investigation":
        return views.investigation(scenario.events, scenario.pivot)
    if name == "lifecycle":
        return lifecycle(scenario)
    if name == "detections":
        return detections(scenario)
    raise KeyError(f"no snapshots for dashboard {name!r}")
