"""Static checks of the four dashboard definitions as the build writes them."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from dashboards.sources import definitions
from detections.dashboards import APP, VIEW_NAMES

TOKEN = re.compile(r"\$([A-Za-z_][\w.]*)(\|[a-z]+)?\$")
STARTS = ("`okta`", "`okta_ir_actions`", 'index=_audit action="alert_fired" ss_app="TA-okta-ir"')


@pytest.fixture(scope="module")
def defs() -> dict[str, dict[str, Any]]:
    return definitions()


def input_tokens(definition: dict[str, Any]) -> set[str]:
    return {i["options"]["token"] for i in definition["inputs"].values()}


def test_there_are_the_four_dashboards(defs: dict[str, Any]) -> None:
    assert sorted(defs) == ["detections", "investigation", "lifecycle", "overview"]


def test_every_search_starts_from_a_macro_and_names_no_index(defs: dict[str, Any]) -> None:
    for name, definition in defs.items():
        for ds_id, ds in definition["dataSources"].items():
            query = ds["options"]["query"]
            assert query.startswith(STARTS), (name, ds_id)
            assert "index=" not in query.replace("index=_audit", ""), (name, ds_id)


def test_token_values_are_escaped_and_declared(defs: dict[str, Any]) -> None:
    for name, definition in defs.items():
        declared = input_tokens(definition)
        for ds_id, ds in definition["dataSources"].items():
            for token, flt in TOKEN.findall(ds["options"]["query"]):
                assert flt == "|s", f"{name}/{ds_id}: ${token}$ is not escaped with |s"
                assert token in declared, f"{name}/{ds_id}: ${token}$ has no input"


def test_set_token_drilldowns_target_declared_inputs(defs: dict[str, Any]) -> None:
    seen = 0
    for name, definition in defs.items():
        declared = input_tokens(definition)
        for viz_id, viz in definition["visualizations"].items():
            for handler in viz.get("eventHandlers", []):
                if handler["type"] == "drilldown.setToken":
                    for token in handler["options"]["tokens"]:
                        assert token["token"] in declared, (name, viz_id)
                        seen += 1
    assert seen >= 4


def test_url_drilldowns_target_existing_dashboards_and_inputs(defs: dict[str, Any]) -> None:
    views = {view: name for name, (view, _label) in VIEW_NAMES.items()}
    seen = 0
    for definition in defs.values():
        for viz in definition["visualizations"].values():
            for handler in viz.get("eventHandlers", []):
                if handler["type"] != "drilldown.customUrl":
                    continue
                url = urlparse(handler["options"]["url"])
                app, view = url.path.strip("/").split("/")[1:3]
                assert app == APP
                assert view in views, f"drilldown to unknown dashboard {view}"
                target_tokens = input_tokens(defs[views[view]])
                for key in parse_qs(url.query):
                    assert key.startswith("form.") and key[5:] in target_tokens, key
                seen += 1
    assert seen == 4  # one per lifecycle stage


def test_maps_never_load_internet_tiles(defs: dict[str, Any]) -> None:
    maps = [v for d in defs.values() for v in d["visualizations"].values() if v["type"] == "splunk.map"]
    assert maps and all(m["options"]["showBaseLayer"] is False for m in maps)
