"""Responses of the simulator validate against Okta's OpenAPI spec (openapi-core 0.23)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import yaml
from okta_ir.simulator import RunningSimulator, Simulator, SimulatorConfig
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.validation.response.exceptions import InvalidData
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC = Path(__file__).resolve().parents[3].parent / "shared" / "okta-reference" / "spec" / "okta-subset.yaml"
SSWS = {"Authorization": "SSWS test-token"}


class _Req:
    """openapi-core's request protocol over an httpx.Request."""

    def __init__(self, request: httpx.Request) -> None:
        url = urlsplit(str(request.url))
        self.host_url = f"{url.scheme}://{url.netloc}"
        self.path = url.path
        self.full_url_pattern = self.host_url + url.path
        self.method = request.method.lower()
        self.body = request.content or None
        self.content_type = request.headers.get("content-type", "application/json")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(url.query, keep_blank_values=True)),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(),
        )


class _Resp:
    """openapi-core's response protocol over an httpx.Response."""

    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        self.content_type = response.headers.get("content-type", "application/json")
        self.headers = Headers(list(response.headers.items()))
        self.data = response.content


@pytest.fixture(scope="module")
def openapi() -> OpenAPI:
    data = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    data["servers"] = [{"url": "http://127.0.0.1:{port}", "variables": {"port": {"default": "80"}}}]
    return OpenAPI.from_dict(data)


@pytest.fixture(scope="module")
def org() -> Iterator[RunningSimulator]:
    with Simulator(SimulatorConfig(scenario="guide", seed=21, events=1500)).serve() as running:
        yield running


def _check(openapi: OpenAPI, response: httpx.Response, path_pattern: str) -> None:
    req = _Req(response.request)
    port = urlsplit(str(response.request.url)).port
    req.full_url_pattern = f"http://127.0.0.1:{port}{path_pattern}"
    openapi.validate_response(req, _Resp(response))


def test_every_event_of_the_guide_org_is_schema_valid(org: RunningSimulator, openapi: OpenAPI) -> None:
    with httpx.Client(timeout=10) as client:
        url = org.base_url + "/api/v1/logs?limit=1000"
        seen = 0
        for _ in range(5):
            resp = client.get(url, headers=SSWS)
            _check(openapi, resp, "/api/v1/logs")
            page = resp.json()
            seen += len(page)
            if not page:
                break
            url = resp.links["next"]["url"]
    assert seen == 1500


def test_the_spec_example_itself_fails_validation(openapi: OpenAPI, org: RunningSimulator) -> None:
    """Guard: the validator really checks event bodies (the spec's own example has integer version)."""
    sample = json.loads((SPEC.parent.parent / "samples" / "spec-example-ListLogs.json").read_text())
    request = httpx.Request("GET", org.base_url + "/api/v1/logs")
    bad = httpx.Response(200, json=[sample], headers={"content-type": "application/json"}, request=request)
    with pytest.raises(InvalidData):
        _check(openapi, bad, "/api/v1/logs")


def test_live_events_are_schema_valid(openapi: OpenAPI) -> None:
    sim = Simulator(SimulatorConfig(scenario="background", seed=2, events=200))
    with sim.serve() as running, httpx.Client(timeout=10) as client:
        victim = next(iter(running.state.users.values()))
        client.post(
            running.base_url + "/api/v1/authn",
            json={"username": victim.login, "password": "nope"},
            headers={"X-Forwarded-For": "198.51.100.7", "User-Agent": "curl/8.0"},
        )
        client.post(running.base_url + f"/api/v1/users/{victim.id}/lifecycle/suspend", headers=SSWS)
        resp = client.get(
            running.base_url + "/api/v1/logs?limit=10&after=" + _cursor_at(client, running, 200), headers=SSWS
        )
        _check(openapi, resp, "/api/v1/logs")
        assert [e["eventType"] for e in resp.json()] == ["user.session.start", "user.lifecycle.suspend"]


def _cursor_at(client: httpx.Client, running: RunningSimulator, index: int) -> str:
    resp = client.get(running.base_url + f"/api/v1/logs?limit={index}", headers=SSWS)
    return str(httpx.URL(resp.links["next"]["url"]).params["after"])


@pytest.mark.parametrize(
    ("method", "path", "pattern"),
    [
        ("GET", "/api/v1/users/{victim}", "/api/v1/users/{id}"),
        ("GET", "/api/v1/users/nobody%40example.com", "/api/v1/users/{id}"),
        ("GET", "/api/v1/zones", "/api/v1/zones"),
        ("GET", "/api/v1/zones/{zone}", "/api/v1/zones/{zoneId}"),
        ("GET", "/api/v1/zones/nzoMissing", "/api/v1/zones/{zoneId}"),
        ("GET", "/api/v1/users/{victim}/factors", "/api/v1/users/{userId}/factors"),
        ("GET", "/api/v1/groups/{quarantine}/users", "/api/v1/groups/{groupId}/users"),
        ("GET", "/api/v1/logs?limit=5000", "/api/v1/logs"),
        ("GET", "/api/v1/sessions/{session}", "/api/v1/sessions/{sessionId}"),
        ("POST", "/api/v1/users/{victim}/lifecycle/unlock", "/api/v1/users/{id}/lifecycle/unlock"),
    ],
)
def test_resource_and_error_responses_are_schema_valid(
    org: RunningSimulator, openapi: OpenAPI, method: str, path: str, pattern: str
) -> None:
    facts = Simulator(SimulatorConfig(scenario="guide", seed=21, events=1500)).scenario_facts()
    url = org.base_url + path.format(
        victim=facts.compromised_user_id,
        zone=facts.blocklist_zone_id,
        quarantine=facts.quarantine_group_id,
        session=facts.attacker_session_id,
    )
    with httpx.Client(timeout=10) as client:
        resp = client.request(method, url, headers=SSWS)
    assert resp.status_code in (200, 400, 403, 404)
    _check(openapi, resp, pattern)


def test_rate_limited_answer_is_schema_valid(openapi: OpenAPI) -> None:
    sim = Simulator(SimulatorConfig(scenario="background", seed=2, events=200, rate_limit_per_minute=1))
    with sim.serve() as running, httpx.Client(timeout=10) as client:
        client.get(running.base_url + "/api/v1/logs", headers=SSWS)
        resp = client.get(running.base_url + "/api/v1/logs", headers=SSWS)
    assert resp.status_code == 429
    _check(openapi, resp, "/api/v1/logs")
