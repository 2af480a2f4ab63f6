"""Renders every dashboard in headless Chromium with Splunk's own DashboardCore (one browser launch)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dashboards.browser import DashboardJob, HarnessError, render
from dashboards.snapshots import snapshots_for
from dashboards.sources import definitions, hunt

pytestmark = pytest.mark.browser


def broken(defs: dict[str, Any]) -> list[DashboardJob]:
    """Two dashboards the harness must flag: an unknown visualization type, and a data source without data."""
    bad_type = copy.deepcopy(defs["detections"])
    bad_type["visualizations"]["viz_outcomes"]["type"] = "splunk.nosuchchart"
    no_data = copy.deepcopy(defs["detections"])
    return [DashboardJob("bad_type", bad_type, {}), DashboardJob("no_data", no_data, {})]


@pytest.fixture(scope="module")
def reports(
    story_events: list[dict[str, Any]], story_audit: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    defs = definitions()
    scenario = hunt(story_events, story_audit)
    clicks = {
        "investigation": [("viz_pivot_events", 1), ("viz_pivot_events", 3)],
        "lifecycle": [("viz_reconnaissance_entities", 1)],
    }
    jobs = [
        DashboardJob(name, d, snapshots_for(name, scenario), None, clicks.get(name, []))
        for name, d in defs.items()
    ]
    no_data = broken(defs)
    no_data[1].snapshots = {k: v for k, v in snapshots_for("detections", scenario).items() if k != "ds_fired"}
    return {r["name"]: r for r in render([*jobs, *no_data])}


@pytest.mark.parametrize("name", ["overview", "investigation", "lifecycle", "detections"])
def test_dashboard_renders_cleanly(reports: dict[str, Any], name: str) -> None:
    report = reports[name]
    defs = definitions()[name]
    assert report["validation"] == []
    assert report["settled"] is True
    assert report["missing"] == []
    assert report["messages"] == []
    assert report["errors"] == []
    assert sorted(report["rendered"]) == sorted(defs["visualizations"])
    assert {r["id"] for r in report["requests"]} == set(defs["dataSources"])


def test_a_click_on_a_value_pivots_the_whole_investigation(reports: dict[str, Any]) -> None:
    on_time, on_user = reports["investigation"]["clicks"]
    assert on_time["tokens"] == [] and on_time["requests"] == []  # the time column is not a pivot
    assert on_user["tokens"][-1]["default"]["pivot"] == "ann@example.com"
    requeried = {r["id"] for r in on_user["requests"]}
    assert requeried == set(definitions()["investigation"]["dataSources"])
    assert all('pivot_any="ann@example.com"' in r["query"] for r in on_user["requests"])


def test_lifecycle_entities_drill_into_the_investigation(reports: dict[str, Any]) -> None:
    (click,) = reports["lifecycle"]["clicks"]
    assert click["opened"] == ["/app/TA-okta-ir/okta_ir_investigation?form.pivot=203.0.113.66"]


def test_the_harness_flags_an_invalid_definition(reports: dict[str, Any]) -> None:
    assert any("type" in message for message in reports["bad_type"]["validation"])


def test_the_harness_flags_a_data_source_without_snapshot(reports: dict[str, Any]) -> None:
    report = reports["no_data"]
    assert report["missing"] == ["ds_fired"]
    assert {"viz": "viz_fired", "text": "no snapshot for data source ds_fired"} in report["messages"]


def test_a_missing_browser_is_one_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setattr("dashboards.browser.CHROMIUM", tmp_path / "chromium")
    with pytest.raises(HarnessError, match=r"chromium is missing: run `bash scripts/setup-browser.sh`"):
        render([])
