from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from sigma.collection import SigmaCollection
from sigma.rule import SigmaRule

from detections.build import REPO_ROOT, BuildContext
from detections.dashboards import (
    STAGES,
    VIEW_NAMES,
    dashboard_views,
    lifecycle_definition,
    rules_by_stage,
    view_xml,
)
from detections.errors import DetectionError
from detections.rules import load_rules, rule_name


@pytest.fixture(scope="module")
def context() -> BuildContext:
    return BuildContext(root=REPO_ROOT, rules=load_rules(REPO_ROOT / "sigma-rules"))


@pytest.fixture(scope="module")
def lifecycle(context: BuildContext) -> dict[str, Any]:
    return lifecycle_definition(context.rules, context.compile_search)


def queries(definition: dict[str, Any]) -> str:
    return "\n".join(ds["options"]["query"] for ds in definition["dataSources"].values())


def test_every_saved_search_is_in_the_lifecycle_dashboard(
    context: BuildContext, lifecycle: dict[str, Any]
) -> None:
    text = queries(lifecycle)
    assert context.compiled, "no saved searches compiled"
    for item in context.compiled:
        assert item.settings["search"].strip() in text, f"rule {item.title!r} is missing from the lifecycle"
        assert f'eval rule="{item.title}"' in text


def test_rows_follow_the_lifecycle_order(context: BuildContext, lifecycle: dict[str, Any]) -> None:
    stages = [name for name, _ in rules_by_stage(context.rules)]
    assert stages == [s for s in STAGES if s in stages] and stages[:2] == [
        "reconnaissance",
        "initial_compromise",
    ]
    headers = [v for k, v in lifecycle["visualizations"].items() if k.endswith("_header")]
    assert [h["options"]["markdown"].splitlines()[0] for h in headers] == [
        "### " + s.replace("_", " ").capitalize() for s in stages
    ]
    for name, rules in rules_by_stage(context.rules):
        hits = lifecycle["dataSources"][f"ds_{name}_hits"]["options"]["query"]
        assert hits.count("| eval rule=") == len(rules)
        assert hits.endswith("| timechart count by rule")


def test_base_rules_of_correlations_are_not_rows(context: BuildContext) -> None:
    staged = {rule_name(r) for _, rules in rules_by_stage(context.rules) for r in rules}
    assert "Okta MFA Verification Failure" not in staged  # generate: false base rule
    assert staged == {item.title for item in context.compiled}


def test_a_rule_title_with_quotes_is_escaped(context: BuildContext) -> None:
    rule = next(r for _, rules in rules_by_stage(context.rules) for r in rules if isinstance(r, SigmaRule))
    collection = SigmaCollection([rule])
    original = rule.title
    try:
        rule.title = 'Say "hi" \\ there'
        definition = lifecycle_definition(collection, lambda r: "`okta` eventType=x")
    finally:
        rule.title = original
    assert 'eval rule="Say \\"hi\\" \\\\ there"' in queries(definition)


def test_no_rules_is_a_clear_error() -> None:
    with pytest.raises(DetectionError, match="no alerting Sigma rules"):
        lifecycle_definition(SigmaCollection([]), lambda r: "")


def test_views_are_studio_xml_wrapping_the_json(context: BuildContext) -> None:
    files = dashboard_views(context)
    assert sorted(files) == sorted(
        f"addon/package/default/data/ui/views/{view}.xml" for view, _ in VIEW_NAMES.values()
    )
    for rel, xml in files.items():
        root = ET.fromstring(xml)
        assert root.tag == "dashboard" and root.get("version") == "2" and root.get("theme") == "dark"
        definition = json.loads(root.findtext("definition") or "")
        view = re.search(r"views/(\w+)\.xml$", rel).group(1)  # type: ignore[union-attr]
        label = {v: lbl for v, lbl in VIEW_NAMES.values()}[view]
        assert root.findtext("label") == label
        assert definition["title"] == label


def test_cdata_terminator_is_refused() -> None:
    with pytest.raises(DetectionError, match="cannot be wrapped in CDATA"):
        view_xml("x", {"title": "a ]]> b"})
