"""The Dashboard Studio views of the app: the generated attack-lifecycle dashboard and the XML wrappers.

``lifecycle_definition(rules, compile_search)`` builds the lifecycle dashboard from the Sigma rules: one row
per ``okta_ir.stage.<name>`` tag (in lifecycle order), each with the stage's hits over time (every rule's
search, compiled exactly like its saved search, appended and tagged ``rule=<title>``) and the stage's top
entities, whose rows drill down into the investigation dashboard.

``dashboard_views(context)`` is the build's generator of the four views of the app, written as
``<dashboard version="2">`` XML (``default/data/ui/views/okta_ir_<name>.xml``); the static
dashboards come from ``dashboards/*.json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from sigma.collection import SigmaCollection

from detections.errors import DetectionError
from detections.rules import rule_name, stage

__all__ = [
    "APP",
    "STAGES",
    "VIEW_NAMES",
    "all_definitions",
    "dashboard_views",
    "lifecycle_definition",
    "load_static",
    "rules_by_stage",
    "view_files",
    "view_xml",
]

APP = "TA-okta-ir"
#: lifecycle order of the stage tags; a stage not listed here comes after them, alphabetically
STAGES = ("reconnaissance", "initial_compromise", "foothold_escalation", "mission")
UNSTAGED = "unstaged"
#: dashboard source name -> (view name in the app, label)
VIEW_NAMES = {
    "overview": ("okta_ir_overview", "Okta System Log overview"),
    "investigation": ("okta_ir_investigation", "Okta investigation"),
    "lifecycle": ("okta_ir_lifecycle", "Okta attack lifecycle"),
    "detections": ("okta_ir_detections", "Okta detections and containment"),
}
STATIC_DIR = Path(__file__).resolve().parent.parent / "dashboards"
#: investigation input the lifecycle drills into (its "any value" pivot)
PIVOT_TOKEN = "pivot"
# fields a rule's result row may name its entity by, most specific first (raw Okta JSON names)
ENTITY_FIELDS = (
    "actor.alternateId",
    "client.ipAddress",
    "authenticationContext.externalSessionId",
    "target{}.alternateId",
)

CompileSearch = Callable[[Any], str]


def _title(stage_name: str) -> str:
    return stage_name.replace("_", " ").capitalize()


def rules_by_stage(rules: SigmaCollection) -> list[tuple[str, list[Any]]]:
    """Alerting rules grouped by stage, in lifecycle order.

    Base rules marked ``generate: false`` (they only feed a correlation) are left out, as in the
    build's saved searches: the correlation stands for them.
    """
    groups: dict[str, list[Any]] = {}
    for rule in rules.rules:
        if not getattr(rule, "_output", True):
            continue
        groups.setdefault(stage(rule) or UNSTAGED, []).append(rule)
    order = [s for s in STAGES if s in groups] + sorted(s for s in groups if s not in STAGES)
    return [(name, sorted(groups[name], key=rule_name)) for name in order]


def _spl_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _union(rules: Sequence[Any], compile_search: CompileSearch) -> str:
    parts = []
    for index, rule in enumerate(rules):
        tagged = f"{compile_search(rule).strip()} | eval rule={_spl_string(rule_name(rule))}"
        parts.append(tagged if index == 0 else f"append [search {tagged}]")
    return " | ".join(parts)


def _entity_eval() -> str:
    fields = ", ".join(f"mvindex('{name}', 0)" for name in ENTITY_FIELDS)
    return f"eval entity=coalesce({fields})"


def _stage_block(
    stage_name: str, rules: Sequence[Any], compile_search: CompileSearch, y: int
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]], int]:
    union = _union(rules, compile_search)
    hits, entities, header = f"ds_{stage_name}_hits", f"ds_{stage_name}_entities", f"viz_{stage_name}_header"
    data_sources = {
        hits: {
            "type": "ds.search",
            "name": f"{_title(stage_name)}: hits by rule",
            "options": {"query": f"{union} | timechart count by rule"},
        },
        entities: {
            "type": "ds.search",
            "name": f"{_title(stage_name)}: top entities",
            "options": {
                "query": f"{union} | {_entity_eval()} | where isnotnull(entity) "
                "| stats count as hits dc(rule) as rules values(rule) as rule by entity "
                "| sort - hits | head 10"
            },
        },
    }
    listing = "\n".join(f"- {rule_name(rule)}" for rule in rules)
    drill = {
        "type": "drilldown.customUrl",
        "options": {
            "url": f"/app/{APP}/{VIEW_NAMES['investigation'][0]}?form.{PIVOT_TOKEN}=$row.entity.value|u$",
            "newTab": True,
        },
    }
    visualizations = {
        header: {
            "type": "splunk.markdown",
            "options": {"markdown": f"### {_title(stage_name)}\n{len(rules)} detections:\n{listing}"},
        },
        f"viz_{stage_name}_hits": {
            "type": "splunk.column",
            "title": f"{_title(stage_name)}: hits over time",
            "dataSources": {"primary": hits},
            "options": {"stackMode": "stacked"},
        },
        f"viz_{stage_name}_entities": {
            "type": "splunk.table",
            "title": f"{_title(stage_name)}: top entities (click to investigate)",
            "dataSources": {"primary": entities},
            "eventHandlers": [drill],
        },
    }
    height = max(300, 90 + 22 * len(rules))
    blocks = [
        {"item": header, "type": "block", "position": {"x": 0, "y": y, "w": 320, "h": height}},
        {
            "item": f"viz_{stage_name}_hits",
            "type": "block",
            "position": {"x": 320, "y": y, "w": 620, "h": height},
        },
        {
            "item": f"viz_{stage_name}_entities",
            "type": "block",
            "position": {"x": 940, "y": y, "w": 500, "h": height},
        },
    ]
    return data_sources, visualizations, blocks, y + height


def lifecycle_definition(rules: SigmaCollection, compile_search: CompileSearch) -> dict[str, Any]:
    """The attack-lifecycle dashboard for these rules: every alerting rule is in its stage's searches."""
    staged = rules_by_stage(rules)
    if not staged:
        raise DetectionError(
            "no alerting Sigma rules to build the lifecycle dashboard from: check sigma-rules/"
        )
    data_sources: dict[str, Any] = {}
    visualizations: dict[str, Any] = {}
    structure: list[dict[str, Any]] = []
    y = 0
    for stage_name, members in staged:
        ds, viz, blocks, y = _stage_block(stage_name, members, compile_search, y)
        data_sources.update(ds)
        visualizations.update(viz)
        structure.extend(blocks)
    time_tokens = {"earliest": "$global_time.earliest$", "latest": "$global_time.latest$"}
    return {
        "title": VIEW_NAMES["lifecycle"][1],
        "description": "Generated by okta-ir build from the Sigma rules: one row per attack stage, "
        "every detection's search as its saved search runs it.",
        "inputs": {
            "input_time": {
                "type": "input.timerange",
                "title": "Time range",
                "options": {"token": "global_time", "defaultValue": "-7d@d,now"},
            }
        },
        "defaults": {"dataSources": {"ds.search": {"options": {"queryParameters": time_tokens}}}},
        "dataSources": data_sources,
        "visualizations": visualizations,
        "layout": {
            "globalInputs": ["input_time"],
            "tabs": {"items": [{"layoutId": "layout_1", "label": "Attack lifecycle"}]},
            "layoutDefinitions": {
                "layout_1": {"type": "grid", "options": {"width": 1440}, "structure": structure}
            },
        },
    }


def load_static(name: str, directory: Path = STATIC_DIR) -> dict[str, Any]:
    """A hand-written dashboard definition (``dashboards/<name>.json``)."""
    source = directory / f"{name}.json"
    try:
        return dict(json.loads(source.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise DetectionError(f"cannot read dashboard {source}: {exc}; restore it from git") from None


def view_xml(label: str, definition: dict[str, Any]) -> str:
    """The Simple XML wrapper Splunk stores a Dashboard Studio definition in."""
    body = json.dumps(definition, indent=2, ensure_ascii=False)
    if "]]>" in body:
        raise DetectionError(f"dashboard {label!r} contains ']]>' and cannot be wrapped in CDATA")
    return (
        f'<dashboard version="2" theme="dark">\n  <label>{escape(label)}</label>\n'
        f"  <definition><![CDATA[\n{body}\n]]></definition>\n</dashboard>\n"
    )


def all_definitions(rules: SigmaCollection, compile_search: CompileSearch) -> dict[str, dict[str, Any]]:
    """Every dashboard of the app by source name (static ones from JSON, the lifecycle generated)."""
    return {
        name: lifecycle_definition(rules, compile_search) if name == "lifecycle" else load_static(name)
        for name in VIEW_NAMES
    }


def view_files(rules: SigmaCollection, compile_search: CompileSearch) -> dict[str, str]:
    """``{path under addon/package/default/: XML}`` for every view of the app."""
    return {
        f"data/ui/views/{VIEW_NAMES[name][0]}.xml": view_xml(VIEW_NAMES[name][1], definition)
        for name, definition in all_definitions(rules, compile_search).items()
    }


def dashboard_views(context: Any) -> dict[str, str]:
    """Build generator (see ``detections.build``): the four views, the lifecycle from the context's rules."""
    return {
        f"addon/package/default/{rel}": xml
        for rel, xml in view_files(context.rules, context.compile_search).items()
    }
