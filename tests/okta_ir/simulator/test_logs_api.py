"""GET /api/v1/logs over HTTP: polling vs bounded mode, cursors, filters, parameter errors, headers."""

from __future__ import annotations

import json
import re
import threading
from typing import Any, Optional

import httpx
import pytest
from okta_ir.simulator import RunningSimulator, Simulator, SimulatorConfig
from okta_ir.simulator.render import format_ms

SSWS = {"Authorization": "SSWS test-token"}


def _links(resp: httpx.Response) -> dict[str, str]:
    out = {}
    for value in resp.headers.get_list("link"):
        m = re.fullmatch(r'<([^>]+)>; rel="(self|next)"', value)
        assert m, value
        out[m.group(2)] = m.group(1)
    return out


def _walk(
    client: httpx.Client, url: str, max_pages: int = 200
) -> tuple[list[dict[str, Any]], Optional[str], int]:
    """Follow next links until an empty page (polling) or no next (bounded)."""
    events: list[dict[str, Any]] = []
    pages = 0
    while pages < max_pages:
        resp = client.get(url, headers=SSWS)
        assert resp.status_code == 200, resp.text
        page = resp.json()
        pages += 1
        events.extend(page)
        nxt = _links(resp).get("next")
        if nxt is None or not page:
            return events, nxt, pages
        url = nxt
    raise AssertionError("too many pages")


def test_polling_returns_every_event_in_persistence_order(
    guide: RunningSimulator, client: httpx.Client
) -> None:
    events, nxt, _ = _walk(client, guide.base_url + "/api/v1/logs?limit=1000")
    truth = list(guide.ground_truth())
    assert [e["uuid"] for e in events] == [e["uuid"] for e in truth]
    assert len(events) == 3000
    assert nxt is not None  # polling: a next link even on the final empty page
    published = [e["published"] for e in events]
    assert published != sorted(published)  # late events: persistence order is not published order


def test_empty_polling_page_still_has_next_and_self(guide: RunningSimulator, client: httpx.Client) -> None:
    _, nxt, _ = _walk(client, guide.base_url + "/api/v1/logs?limit=1000")
    assert nxt is not None
    resp = client.get(nxt, headers=SSWS)
    assert resp.status_code == 200
    assert resp.text == "[]"
    links = _links(resp)
    assert links["self"] == nxt
    assert links["next"].startswith(guide.base_url + "/api/v1/logs?")
    assert len(resp.headers.get_list("link")) == 2


def test_bounded_mode_orders_by_published_and_ends_without_next(
    guide: RunningSimulator, client: httpx.Client
) -> None:
    truth = list(guide.ground_truth())
    pubs = sorted(e["published"] for e in truth)
    since, until = pubs[500], pubs[2500]
    url = f"{guide.base_url}/api/v1/logs?since={since}&until={until}&limit=300"
    events, nxt, pages = _walk(client, url)
    assert nxt is None
    expected = sorted((e for e in truth if since <= e["published"] < until), key=lambda e: e["published"])
    assert [e["published"] for e in events] == [e["published"] for e in expected]
    assert {e["uuid"] for e in events} == {e["uuid"] for e in expected}
    assert pages >= 7


def test_bounded_descending(guide: RunningSimulator, client: httpx.Client) -> None:
    truth = list(guide.ground_truth())
    pubs = sorted(e["published"] for e in truth)
    since, until = pubs[100], pubs[400]
    url = f"{guide.base_url}/api/v1/logs?since={since}&until={until}&limit=120&sortOrder=DESCENDING"
    events, nxt, _ = _walk(client, url)
    assert nxt is None
    assert [e["published"] for e in events] == sorted(pubs[100:400], reverse=True)


def test_cursor_is_opaque_and_tamper_checked(guide: RunningSimulator, client: httpx.Client) -> None:
    resp = client.get(guide.base_url + "/api/v1/logs?limit=5", headers=SSWS)
    nxt = _links(resp)["next"]
    after = httpx.URL(nxt).params["after"]
    assert not after.isdigit()
    _payload, tag = after.split(".")
    forged = json.dumps({"m": "p", "p": 2500}).encode()
    import base64

    bad = base64.urlsafe_b64encode(forged).decode().rstrip("=") + "." + tag
    resp = client.get(guide.base_url + "/api/v1/logs", params={"after": bad}, headers=SSWS)
    assert resp.status_code == 400
    body = resp.json()
    assert body["errorCode"] == "E0000053"
    assert body["errorCauses"] == [
        {"errorSummary": "after: not a valid cursor; follow the next link as given"}
    ]
    resp = client.get(guide.base_url + "/api/v1/logs", params={"after": "12345"}, headers=SSWS)
    assert resp.status_code == 400


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"limit": "1001"}, "E0000053"),
        ({"limit": "-1"}, "E0000053"),
        ({"limit": "ten"}, "E0000053"),
        ({"since": "2020-01-01T00:00:00Z"}, "E0000053"),
        ({"since": "yesterday"}, "E0000053"),
        ({"filter": 'published gt "2026-01-01"'}, "E0000053"),
        ({"filter": "eventType eq"}, "E0000053"),
        ({"filter": 'nosuch eq "x"'}, "E0000053"),
        ({"filter": 'debugContext.debugData.url co "/api"'}, "E0000031"),
        ({"filter": 'debugContext.debugData.requestUri co "/api"'}, "E0000031"),
        ({"q": " ".join(["w"] * 11)}, "E0000053"),
        ({"q": "x" * 41}, "E0000053"),
        ({"sortOrder": "SIDEWAYS"}, "E0000053"),
    ],
)
def test_bad_parameters_are_400_with_okta_error_body(
    guide: RunningSimulator, client: httpx.Client, params: dict[str, str], code: str
) -> None:
    resp = client.get(guide.base_url + "/api/v1/logs", params=params, headers=SSWS)
    assert resp.status_code == 400
    body = resp.json()
    assert set(body) == {"errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"}
    assert body["errorCode"] == code
    assert body["errorLink"] == code
    assert body["errorId"].startswith("oae")
    assert resp.headers["content-type"] == "application/json;charset=UTF-8"


def test_since_and_after_together_is_400(guide: RunningSimulator, client: httpx.Client) -> None:
    resp = client.get(guide.base_url + "/api/v1/logs?limit=5", headers=SSWS)
    after = httpx.URL(_links(resp)["next"]).params["after"]
    resp = client.get(
        guide.base_url + "/api/v1/logs",
        params={"after": after, "since": "2026-11-25T00:00:00Z"},
        headers=SSWS,
    )
    assert resp.status_code == 400
    assert resp.json()["errorCauses"] == [{"errorSummary": "since and after cannot be used together"}]


def test_filter_on_event_type_and_target_array(
    guide_sim: Simulator, guide: RunningSimulator, client: httpx.Client
) -> None:
    facts = guide_sim.scenario_facts()
    flt = f'eventType eq "user.authentication.sso" and target.displayName eq "{facts.targeted_apps[0]}"'
    events, _, _ = _walk(
        client, guide.base_url + "/api/v1/logs?" + str(httpx.QueryParams({"filter": flt, "limit": 1000}))
    )
    truth = [
        e
        for e in guide.ground_truth()
        if e["eventType"] == "user.authentication.sso"
        and any(t.get("displayName") == facts.targeted_apps[0] for t in e["target"])
    ]
    assert [e["uuid"] for e in events] == [e["uuid"] for e in truth]
    assert any(e["client"]["ipAddress"] == facts.roaming_ip for e in events)


def test_filter_or_not_and_pr(guide: RunningSimulator, client: httpx.Client) -> None:
    flt = '(outcome.result eq "FAILURE" or outcome.result eq "DENY") and not (eventType sw "user.session")'
    events, _, _ = _walk(
        client, guide.base_url + "/api/v1/logs?" + str(httpx.QueryParams({"filter": flt, "limit": 1000}))
    )
    truth = [
        e
        for e in guide.ground_truth()
        if e["outcome"]["result"] in ("FAILURE", "DENY") and not e["eventType"].startswith("user.session")
    ]
    assert [e["uuid"] for e in events] == [e["uuid"] for e in truth]
    assert truth


def test_q_matches_keywords_case_insensitively(
    guide_sim: Simulator, guide: RunningSimulator, client: httpx.Client
) -> None:
    ua = guide_sim.scenario_facts().attacker_user_agent  # python-requests/2.31.0
    url = guide.base_url + "/api/v1/logs?" + str(httpx.QueryParams({"q": ua.upper(), "limit": 1000}))
    events, _, _ = _walk(client, url)
    truth = [e for e in guide.ground_truth() if ua in json.dumps(e)]
    assert [e["uuid"] for e in events] == [e["uuid"] for e in truth]
    assert len(truth) > 20


def test_headers_like_okta(guide: RunningSimulator, client: httpx.Client) -> None:
    resp = client.get(guide.base_url + "/api/v1/logs?limit=1", headers=SSWS)
    assert resp.headers["content-type"] == "application/json;charset=UTF-8"
    assert re.fullmatch(r"[0-9a-f]{32}", resp.headers["x-okta-request-id"])
    assert len(resp.headers.get_list("date")) == 1
    for name in ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"):
        assert resp.headers[name].isdigit()
    assert int(resp.headers["content-length"]) == len(resp.content)


def test_limit_zero_returns_empty_page_with_next(guide: RunningSimulator, client: httpx.Client) -> None:
    resp = client.get(guide.base_url + "/api/v1/logs?limit=0", headers=SSWS)
    assert resp.status_code == 200
    assert resp.json() == []
    assert "next" in _links(resp)


def test_polling_since_starts_at_persistence_time(client: httpx.Client) -> None:
    sim = Simulator(SimulatorConfig(scenario="background", seed=3, events=1000, late_fraction=0.0))
    with sim.serve() as running:
        truth = list(running.ground_truth())
        since = truth[600]["published"]
        events, _, _ = _walk(client, f"{running.base_url}/api/v1/logs?since={since}&limit=1000")
        assert [e["uuid"] for e in events] == [e["uuid"] for e in truth[600:]]


def test_live_events_appear_after_generated_ones_in_polling(client: httpx.Client) -> None:
    sim = Simulator(SimulatorConfig(scenario="background", seed=5, events=300))
    with sim.serve() as running:
        _, nxt, _ = _walk(client, running.base_url + "/api/v1/logs?limit=1000")
        assert nxt is not None
        resp = client.post(
            running.base_url + "/api/v1/authn",
            json={"username": "nobody@example.com", "password": "x"},
            headers={"X-Forwarded-For": "203.0.113.9"},
        )
        assert resp.status_code == 401
        page = client.get(nxt, headers=SSWS).json()
        assert len(page) == 1
        assert page[0]["eventType"] == "user.session.start"
        assert page[0]["outcome"] == {"result": "FAILURE", "reason": "UNKNOWN_USER"}
        assert page[0]["client"]["ipAddress"] == "203.0.113.9"
        assert page[0]["published"] >= format_ms(sim.org.end_ms)
        assert [e["uuid"] for e in running.ground_truth()][-1] == page[0]["uuid"]


def test_concurrent_clients_get_exactly_the_ground_truth(guide: RunningSimulator) -> None:
    truth = [(e["uuid"], e["published"]) for e in guide.ground_truth()][:3000]
    results: dict[int, list[tuple[str, str]]] = {}

    def worker(n: int) -> None:
        got: list[tuple[str, str]] = []
        with httpx.Client(timeout=10) as c:
            url: Optional[str] = f"{guide.base_url}/api/v1/logs?limit=250"
            for _ in range(12):
                assert url is not None
                resp = c.get(url, headers=SSWS)
                got.extend((e["uuid"], e["published"]) for e in resp.json())
                url = _links(resp).get("next")
        results[n] = got

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == [0, 1, 2, 3]
    for got in results.values():
        assert got == truth
