"""OktaClient over httpx.MockTransport: errors, retries and their bounds, 429 waits, pacing, paging, secrets.

A FakeClock drives both the client's sleep/clock and the fake servers' Date headers, so nothing waits.
"""

from __future__ import annotations

import base64
import json
import logging
import random
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

import httpx
import pytest
from okta_http import (
    ORG,
    BucketServer,
    FakeClock,
    cassette_response,
    http_date,
    load_cassette,
    okta_error,
    recorder,
)
from okta_ir.errors import (
    ConfigError,
    InvalidResponseError,
    OktaAuthError,
    OktaBadRequestError,
    OktaNotFoundError,
    OktaPermissionError,
    OktaRateLimitError,
    OktaServerError,
    OktaTransportError,
    UnsafeLinkError,
)
from okta_ir.okta.auth import ApiTokenAuth
from okta_ir.okta.client import ClientSettings, OktaClient, Page
from okta_ir.okta.ratelimit import BucketState

TOKEN = "00aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789-_"
LOGS = "/api/v1/logs"


def make_client(handler, clock: Optional[FakeClock] = None, org: str = ORG, **settings: Any):
    clock = clock or FakeClock()
    transport, seen = recorder(handler)
    client = OktaClient(
        org,
        ApiTokenAuth(TOKEN),
        settings=ClientSettings(**settings),
        transport=transport,
        sleep=clock.sleep,
        clock=clock,
        rng=random.Random(7),
    )
    return client, seen, clock


# -- basics ----------------------------------------------------------------------------------------


def test_request_carries_ssws_user_agent_accept_and_explicit_timeouts() -> None:
    client, seen, _ = make_client(
        lambda r: httpx.Response(200, json={"id": "00u1"}), connect_timeout=3.0, read_timeout=7.0
    )
    assert client.get_json("/api/v1/users/00u1") == {"id": "00u1"}
    request = seen[0]
    assert str(request.url) == "https://acme.okta.com/api/v1/users/00u1"
    assert request.headers["authorization"] == f"SSWS {TOKEN}"
    assert request.headers["user-agent"] == "okta-ir/0.1.0"
    assert request.headers["accept"] == "application/json"
    assert request.extensions["timeout"] == {"connect": 3.0, "read": 7.0, "write": 7.0, "pool": 3.0}


def test_org_url_is_normalized_and_paths_are_checked() -> None:
    client, seen, _ = make_client(lambda r: httpx.Response(200, json=[]), org="ACME.okta.com/")
    assert client.org_url == "https://acme.okta.com"
    with pytest.raises(ConfigError, match="must start with '/'"):
        client.get_json("api/v1/logs")
    with pytest.raises(UnsafeLinkError, match="off the configured org"):
        client.get_json("https://evil.example.com/api/v1/logs")
    assert seen == []
    with pytest.raises(ConfigError, match="must use https://"):
        OktaClient("http://acme.okta.com", ApiTokenAuth(TOKEN))


def test_request_with_json_body_params_and_expected_statuses() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(204) if request.method == "DELETE" else httpx.Response(200, json={})

    client, seen, _ = make_client(handler)
    assert (
        client.request(
            "DELETE", "/api/v1/users/00u1/sessions", params={"oauthTokens": "true"}, expected=(200, 204)
        ).status_code
        == 204
    )
    client.request("post", "/api/v1/zones/nz1", json={"gateways": [{"type": "CIDR", "value": "1.2.3.4/32"}]})
    assert str(seen[0].url) == "https://acme.okta.com/api/v1/users/00u1/sessions?oauthTokens=true"
    assert seen[1].method == "POST" and json.loads(seen[1].content)["gateways"][0]["value"] == "1.2.3.4/32"
    with pytest.raises(InvalidResponseError, match=r"unexpected HTTP 204 .* \(expected 200\)"):
        client.request("DELETE", "/api/v1/users/00u1/sessions")


def test_redirect_is_not_followed_and_says_check_the_org_url() -> None:
    client, seen, _ = make_client(
        lambda r: httpx.Response(302, headers={"location": "https://login.acme.com/x?y"})
    )
    with pytest.raises(
        InvalidResponseError, match=r"redirected GET /api/v1/logs \(HTTP 302 to /x\).*check the org URL"
    ):
        client.get_page(LOGS)
    assert len(seen) == 1


def test_settings_validation_and_repr_hides_proxy_credentials() -> None:
    with pytest.raises(ConfigError, match="rate_limit_share"):
        ClientSettings(rate_limit_share=0)
    with pytest.raises(ConfigError, match="positive"):
        ClientSettings(read_timeout=0)
    with pytest.raises(ConfigError, match="must not be negative"):
        ClientSettings(max_retries=-1)
    assert "secret" not in repr(ClientSettings(proxy="http://user:secret@proxy:3128"))


def test_context_manager_closes_the_pool() -> None:
    with make_client(lambda r: httpx.Response(200, json=[]))[0] as client:
        client.get_page(LOGS)
    assert client._http.is_closed


# -- error mapping ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "cls", "code", "snippets"),
    [
        (
            okta_error(400, "E0000053", "Invalid value for parameter: filter"),
            OktaBadRequestError,
            "E0000053",
            [
                "Okta rejected the request GET /api/v1/logs (HTTP 400, E0000053: Invalid value for "
                "parameter: filter [errorId oaeTEST123])",
                "fix the parameter",
            ],
        ),
        (
            okta_error(401, "E0000011", "Invalid token provided"),
            OktaAuthError,
            "E0000011",
            ["check the API token / it may be revoked"],
        ),
        (
            okta_error(403, "E0000006", "You do not have permission to perform the requested action"),
            OktaPermissionError,
            "E0000006",
            ["admin role does not allow this"],
        ),
        (
            httpx.Response(
                403,
                headers={
                    "WWW-Authenticate": 'Bearer authorization_uri="https://acme.okta.com/oauth2/v1/authorize",'
                    ' realm="IdpMyAccountAPI", scope="okta.logs.read", error="insufficient_scope", '
                    'error_description="The access token provided does not contain the required scopes.", '
                    'resource="/api/v1/logs"'
                },
            ),
            OktaPermissionError,
            "insufficient_scope",
            ["grant okta.logs.read to the service app"],
        ),
        (
            httpx.Response(403, headers={"WWW-Authenticate": 'DPoP error="insufficient_scope"'}),
            OktaPermissionError,
            "insufficient_scope",
            ["grant okta.logs.read to the service app"],
        ),
        (
            okta_error(404, "E0000007", "Not found: Resource not found: x (User)"),
            OktaNotFoundError,
            "E0000007",
            ["check the id or login"],
        ),
        (
            httpx.Response(418, text="teapot"),
            OktaBadRequestError,
            None,
            ["unexpected answer from Okta", "HTTP 418"],
        ),
    ],
)
def test_error_statuses_map_to_typed_errors(response, cls, code, snippets) -> None:
    client, seen, clock = make_client(lambda r: response)
    with pytest.raises(cls) as caught:
        client.get_page(LOGS, {"since": "2025-01-01T00:00:00Z"})
    error = caught.value
    assert type(error) is cls
    assert error.status == response.status_code and error.error_code == code
    for snippet in snippets:
        assert snippet in str(error)
    assert "\n" not in str(error) and TOKEN not in str(error) and "since=" not in str(error)
    assert len(seen) == 1 and clock.sleeps == []  # 4xx other than 429 are not retried


def test_insufficient_scope_for_a_write_names_the_manage_scope() -> None:
    client, _, _ = make_client(
        lambda r: httpx.Response(403, headers={"www-authenticate": 'Bearer error="insufficient_scope"'})
    )
    with pytest.raises(OktaPermissionError, match=r"grant okta\.users\.manage to the service app"):
        client.request("POST", "/api/v1/users/00u1/lifecycle/suspend")


def test_error_fields_come_from_the_body_including_causes() -> None:
    client, _, _ = make_client(
        lambda r: okta_error(
            403, "E0000032", "Unlock is not allowed for this user.", ("The user is not locked out.",)
        )
    )
    with pytest.raises(OktaPermissionError) as caught:
        client.request("POST", "/api/v1/users/00u1/lifecycle/unlock")
    error = caught.value
    assert (error.summary, error.error_id, error.causes) == (
        "Unlock is not allowed for this user.",
        "oaeTEST123",
        ("The user is not locked out.",),
    )
    assert "(The user is not locked out.) [errorId oaeTEST123]" in str(error)


@pytest.mark.parametrize(
    ("cassette", "method_path", "cls", "code"),
    [
        (
            "TestUsersResource.test_create_get_user.yaml",
            ("GET", "/api/v1/users/00usfhrjbkppPBkoY4x6"),
            OktaNotFoundError,
            "E0000007",
        ),
        (
            "TestSessionsResource.test_create_session_invalid_token.yaml",
            ("POST", "/api/v1/sessions"),
            OktaAuthError,
            "E0000004",
        ),
        (
            "TestUsersResource.test_unlock_user.yaml",
            ("POST", "/api/v1/users/00uqrjytbqRoGqyQd5d7/lifecycle/unlock"),
            OktaPermissionError,
            "E0000032",
        ),
        (
            "TestUsersResource.test_reactivate_user.yaml",
            ("POST", "/api/v1/users/00uqrku6swqIv4Y1T5d7/lifecycle/reactivate"),
            OktaPermissionError,
            "E0000038",
        ),
    ],
)
def test_recorded_error_answers_replayed(cassette, method_path, cls, code) -> None:
    recorded = next(
        i
        for i in load_cassette(cassette)
        if i["response"]["status"]["code"] >= 400 and method_path[1] in i["request"]["uri"]
    )
    body = json.loads(recorded["response"]["body"]["string"])
    client, _, _ = make_client(lambda r: cassette_response(recorded))
    with pytest.raises(cls) as caught:
        client.request(*method_path)
    assert caught.value.error_code == code
    assert caught.value.summary == body["errorSummary"] and caught.value.error_id == body["errorId"]


def test_non_json_error_bodies_are_tolerated() -> None:
    client, _seen, _ = make_client(lambda r: httpx.Response(401, text="<html>Unauthorized</html>"))
    with pytest.raises(OktaAuthError, match=r"\(HTTP 401\): check the API token") as caught:
        client.get_page(LOGS)
    assert caught.value.error_code is None and caught.value.summary is None


# -- retries ---------------------------------------------------------------------------------------


def test_5xx_is_retried_with_full_jitter_backoff_until_max_retries() -> None:
    client, seen, clock = make_client(
        lambda r: okta_error(500, "E0000009", "Internal Server Error"), max_retries=4
    )
    with pytest.raises(
        OktaServerError, match=r"Okta failed on GET /api/v1/logs \(HTTP 500, E0000009"
    ) as caught:
        client.get_page(LOGS)
    assert caught.value.status == 500
    assert len(seen) == 5 and len(clock.sleeps) == 4
    for attempt, slept in enumerate(clock.sleeps):
        assert 0.0 <= slept <= 0.5 * 2**attempt
    assert len(set(clock.sleeps)) == 4  # jittered, not fixed


def test_retries_are_bounded_by_elapsed_seconds_too() -> None:
    client, seen, clock = make_client(
        lambda r: httpx.Response(503, text="busy"), max_retries=100, max_retry_seconds=20.0
    )
    with pytest.raises(OktaServerError):
        client.get_page(LOGS)
    assert sum(clock.sleeps) <= 20.0
    assert 4 <= len(seen) < 100


def test_transient_failures_then_success() -> None:
    answers = iter(
        [
            httpx.ReadTimeout("slow"),
            httpx.Response(502, text="bad gateway"),
            httpx.ConnectError("reset"),
            httpx.Response(200, json=[{"uuid": "u1"}]),
        ]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    client, seen, clock = make_client(handler)
    assert client.get_page(LOGS).items == [{"uuid": "u1"}]
    assert len(seen) == 4 and len(clock.sleeps) == 3


@pytest.mark.parametrize(
    ("exc", "message"),
    [
        (
            httpx.ReadTimeout("timed out"),
            "Okta did not answer GET /api/v1/logs within 60 s (after 3 attempts)",
        ),
        (
            httpx.ConnectTimeout("timed out"),
            "connecting to https://acme.okta.com timed out (10 s, after 3 attempts): check the org URL",
        ),
        (
            httpx.ConnectError("[Errno -2] Name or service not known"),
            "cannot resolve the host of https://acme.okta.com (after 3 attempts): check the org URL",
        ),
        (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), "TLS handshake"),
        (
            httpx.ConnectError("[Errno 111] Connection refused"),
            "cannot connect to https://acme.okta.com (ConnectError",
        ),
        (
            httpx.RemoteProtocolError("peer closed connection"),
            "the connection to https://acme.okta.com broke during",
        ),
    ],
)
def test_transport_failures_become_oktatransporterror(exc: Exception, message: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    client, seen, _ = make_client(handler, max_retries=2)
    with pytest.raises(OktaTransportError) as caught:
        client.get_page(LOGS)
    assert message in str(caught.value)
    assert len(seen) == 3


def test_truncated_json_is_retried_then_invalidresponseerror() -> None:
    bodies = iter([b'[{"uuid": "u1"}, {"uu', b'[{"uuid": "u1"}]'])
    client, seen, clock = make_client(lambda r: httpx.Response(200, content=next(bodies)))
    assert client.get_page(LOGS).items == [{"uuid": "u1"}]
    assert len(seen) == 2 and len(clock.sleeps) == 1

    client, seen, _ = make_client(lambda r: httpx.Response(200, content=b'[{"uuid": "u1"'), max_retries=3)
    with pytest.raises(
        InvalidResponseError,
        match=r"invalid or truncated JSON \(14 bytes\) on GET /api/v1/logs "
        r"after 4 attempts",
    ):
        client.get_page(LOGS)
    assert len(seen) == 4


def test_page_body_must_be_an_array() -> None:
    client, seen, _ = make_client(lambda r: httpx.Response(200, json={"not": "a list"}), max_retries=1)
    with pytest.raises(InvalidResponseError, match="expected a JSON array, got a JSON dict"):
        client.get_page(LOGS)
    assert len(seen) == 2


# -- 429 -------------------------------------------------------------------------------------------


def test_recorded_429_waits_until_reset_measured_against_date() -> None:
    """TestAgentPoolsResource: 429 at Date 16:21:50 with Reset 1757607758 (48 s later), no Retry-After."""
    interactions = load_cassette("TestAgentPoolsResource.test_list_agent_pools_with_multiple_pool_types.yaml")
    first_429 = next(n for n, i in enumerate(interactions) if i["response"]["status"]["code"] == 429)
    replay = iter(
        [cassette_response(interactions[first_429]), cassette_response(interactions[first_429 + 1])]
    )
    clock = FakeClock(start=1_000_000.0)  # the local clock is far off: only Date vs Reset may matter
    client, seen, clock = make_client(lambda r: next(replay), clock=clock)
    page = client.get_page("/api/v1/agentPools", {"limitPerPoolType": 5, "poolType": "Radius"})
    assert page.items == [] and page.status == 200
    assert clock.sleeps == [49.0]  # 48 s to the reset on the server's clock + 1 s margin
    assert len(seen) == 2


def test_retry_after_is_honored_when_present() -> None:
    answers = iter(
        [
            okta_error(
                429,
                "E0000047",
                "API call exceeded rate limit due to too many requests.",
                headers={"Retry-After": "7", "Date": http_date(100), "X-Rate-Limit-Reset": "160"},
            ),
            httpx.Response(200, json=[]),
        ]
    )
    client, _, clock = make_client(lambda r: next(answers))
    client.get_page(LOGS)
    assert clock.sleeps == [7.0]


def test_concurrency_429_is_handled_like_a_429() -> None:
    clock = FakeClock(start=5000.0)
    answers = iter(
        [
            okta_error(
                429,
                "E0000047",
                "API call exceeded rate limit due to too many requests.",
                headers={
                    "X-Rate-Limit-Limit": "0",
                    "X-Rate-Limit-Remaining": "0",
                    "X-Rate-Limit-Reset": "5010",
                    "Date": http_date(5000),
                },
            ),
            httpx.Response(200, json=[]),
        ]
    )
    client, _, clock = make_client(lambda r: next(answers), clock=clock)
    client.get_page(LOGS)
    assert clock.sleeps == [11.0]
    assert client.rate_limit_state == {}


def test_429_beyond_the_retry_budget_raises_with_reset_in() -> None:
    clock = FakeClock(start=1000.0)

    def handler(request: httpx.Request) -> httpx.Response:
        return okta_error(
            429,
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
            headers={
                "X-Rate-Limit-Limit": "20",
                "X-Rate-Limit-Remaining": "0",
                "X-Rate-Limit-Reset": str(int(clock.now) + 50),
                "Date": http_date(clock.now),
            },
        )

    client, seen, clock = make_client(handler, clock=clock, max_retry_seconds=120.0)
    with pytest.raises(OktaRateLimitError) as caught:
        client.get_page(LOGS)
    assert caught.value.reset_in == 51.0 and caught.value.error_code == "E0000047"
    assert "Okta rate limit hit on GET /api/v1/logs" in str(caught.value) and "lower the polling" in str(
        caught.value
    )
    assert clock.sleeps == [51.0, 51.0] and len(seen) == 3


def test_429_without_rate_limit_headers_backs_off() -> None:
    answers = iter([httpx.Response(429, text="slow down"), httpx.Response(200, json=[])])
    client, _, clock = make_client(lambda r: next(answers))
    client.get_page(LOGS)
    assert len(clock.sleeps) == 1 and 1.0 <= clock.sleeps[0] <= 30.0


# -- pacing within our share of a bucket -----------------------------------------------------------


def test_long_backfill_uses_at_least_90_percent_of_its_share_and_never_causes_a_429() -> None:
    clock = FakeClock(start=1_757_607_710.37)
    server = BucketServer(clock)
    client, _, clock = make_client(server, clock=clock)
    start = clock.now
    url = LOGS
    while clock.now - start < 600.0:  # ten simulated minutes (a few hundred requests, well under a second)
        url = client.get_page(url).next_url or LOGS
    minutes = (clock.now - start) / 60.0
    assert server.throttled == 0
    assert server.ok / (60 * minutes) >= 0.9
    state = client.rate_limit_state[LOGS]
    assert isinstance(state, BucketState) and state.limit == 120 and state.used_in_window <= 60


def test_pacing_respects_remaining_when_others_use_the_bucket() -> None:
    clock = FakeClock(start=2_000_000.5)
    server = BucketServer(clock, others_per_window=90)  # only 30 left for us per window
    client, _, clock = make_client(server, clock=clock)
    for _ in range(100):
        client.get_page(LOGS)
    assert server.throttled == 0 and server.ok == 100


def test_rate_limit_state_per_bucket() -> None:
    clock = FakeClock(start=3000.0)

    def handler(request: httpx.Request) -> httpx.Response:
        limit = "600" if "lifecycle" in request.url.path else "120"
        return httpx.Response(
            200,
            json=[],
            headers={
                "X-Rate-Limit-Limit": limit,
                "X-Rate-Limit-Remaining": "100",
                "X-Rate-Limit-Reset": "3050",
                "Date": http_date(3000),
            },
        )

    client, _, _ = make_client(handler, clock=clock)
    client.get_page(LOGS)
    client.get_page(LOGS)
    client.request("POST", "/api/v1/users/00u1/lifecycle/suspend")
    client.request("POST", "/api/v1/users/00u2/lifecycle/unsuspend")
    assert client.rate_limit_state == {
        "/api/v1/logs": BucketState(limit=120, remaining=100, reset_at=3050.0, used_in_window=2),
        "/api/v1/users/{id}/lifecycle/*": BucketState(
            limit=600, remaining=100, reset_at=3050.0, used_in_window=2
        ),
    }


# -- paging ----------------------------------------------------------------------------------------


def paging_handler(pages: int, joined: bool = False, reverse: bool = False):
    def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("after", "0"))
        links = [f'<{ORG}/api/v1/logs?after={n}&limit=2>; rel="self"']
        if n + 1 < pages:
            links.append(f'<{ORG}/api/v1/logs?after={n + 1}&limit=2>; rel="next"')
        if reverse:
            links.reverse()
        headers = [("link", ", ".join(links))] if joined else [("link", v) for v in links]
        return httpx.Response(200, json=[{"uuid": f"e{n}a"}, {"uuid": f"e{n}b"}], headers=headers)

    return handler


@pytest.mark.parametrize(("joined", "reverse"), [(False, False), (False, True), (True, False), (True, True)])
def test_iter_pages_follows_next_until_absent(joined: bool, reverse: bool) -> None:
    client, seen, _ = make_client(paging_handler(3, joined, reverse))
    pages = list(client.iter_pages(LOGS, {"since": "2025-01-01T00:00:00Z", "until": "2025-01-02T00:00:00Z"}))
    assert [p.items for p in pages] == [
        [{"uuid": "e0a"}, {"uuid": "e0b"}],
        [{"uuid": "e1a"}, {"uuid": "e1b"}],
        [{"uuid": "e2a"}, {"uuid": "e2b"}],
    ]
    assert [p.next_url for p in pages] == [
        f"{ORG}/api/v1/logs?after=1&limit=2",
        f"{ORG}/api/v1/logs?after=2&limit=2",
        None,
    ]
    assert pages[1].self_url == f"{ORG}/api/v1/logs?after=1&limit=2"
    assert [str(r.url) for r in seen][1:] == [
        f"{ORG}/api/v1/logs?after=1&limit=2",
        f"{ORG}/api/v1/logs?after=2&limit=2",
    ]
    assert isinstance(pages[0], Page) and pages[0].status == 200


def test_recorded_user_pagination_replayed() -> None:
    """TestUsersResource.test_user_pagination: two one-user pages, following the recorded next link."""
    recorded = {
        i["request"]["uri"]: i
        for i in load_cassette("TestUsersResource.test_user_pagination.yaml")
        if i["request"]["method"] == "GET" and "limit=1" in i["request"]["uri"]
    }
    client, _seen, _ = make_client(
        lambda r: cassette_response(recorded[str(r.url)]), org="https://test.okta.com"
    )
    first = client.get_page("/api/v1/users", {"limit": 1})
    second = client.get_page(first.next_url or "")
    assert [u["id"] for u in first.items + second.items] == ["00usfdsyqnIjEmHNm4x6", "00usfgmn9xhwtA6f74x6"]
    assert second.next_url == "https://test.okta.com/api/v1/users?after=000usfgmn9xhwtA6f74x6&limit=1"
    assert client.rate_limit_state["/api/v1/users"].limit == 600


@pytest.mark.parametrize(
    "evil",
    [
        "https://evil.example.com/api/v1/logs?after=1",
        "http://acme.okta.com/api/v1/logs?after=1",
        "https://acme.okta.com:444/api/v1/logs?after=1",
        "https://u:p@acme.okta.com/api/v1/logs?after=1",
    ],
)
def test_off_org_next_link_is_refused_and_never_requested(evil: str) -> None:
    client, seen, _ = make_client(
        lambda r: httpx.Response(200, json=[{"uuid": "a"}], headers={"link": f'<{evil}>; rel="next"'})
    )
    pages = client.iter_pages(LOGS, {"since": "x"})
    with pytest.raises(UnsafeLinkError):
        next(pages)
    assert len(seen) == 1


# -- secrets and logging ---------------------------------------------------------------------------


def test_secrets_absent_from_repr_errors_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="okta_ir.okta")
    answers = iter([httpx.Response(500), okta_error(401, "E0000011", "Invalid token provided")])
    client, _, _ = make_client(lambda r: next(answers))
    assert TOKEN not in repr(client) and TOKEN not in repr(client.auth)
    assert repr(client) == "OktaClient(org_url='https://acme.okta.com', auth=ApiTokenAuth(token=<redacted>))"
    with pytest.raises(OktaAuthError) as caught:
        client.get_page(LOGS, {"filter": 'actor.alternateId eq "secret@acme.com"'})
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "GET /api/v1/logs -> 500" in text and "GET /api/v1/logs -> 401" in text and "retry 1 in" in text
    assert TOKEN not in text and "secret@acme.com" not in text and "filter" not in text


def test_requests_go_through_the_configured_proxy() -> None:
    """A real HTTP proxy on 127.0.0.1: the org (port 9, nothing listens) is reached only through it."""
    seen: list[tuple[str, Optional[str]]] = []

    class Proxy(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append((self.path, self.headers.get("Proxy-Authorization")))
            body = b'[{"uuid": "via-proxy"}]'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        proxy = f"http://puser:ppass@127.0.0.1:{server.server_address[1]}"
        settings = ClientSettings(proxy=proxy, connect_timeout=2.0, read_timeout=2.0, max_retries=0)
        with OktaClient("http://127.0.0.1:9", ApiTokenAuth(TOKEN), settings=settings) as client:
            assert client.get_page(LOGS, {"limit": 1}).items == [{"uuid": "via-proxy"}]
            assert "ppass" not in repr(client.settings)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert seen == [
        ("http://127.0.0.1:9/api/v1/logs?limit=1", "Basic " + base64.b64encode(b"puser:ppass").decode())
    ]


def test_iter_pages_stops_on_a_repeated_cursor_and_at_max_pages() -> None:
    """Polling-mode System Log: an empty page's next link repeats the cursor; that must not loop."""

    def handler(request: httpx.Request) -> httpx.Response:
        after = request.url.params.get("after")
        items = [] if after == "end" else [{"uuid": f"u-{after}"}]
        nxt = "end" if after in ("2", "end") else str(int(after or 0) + 1)
        return httpx.Response(
            200, json=items, headers={"link": f'<{ORG}/api/v1/logs?after={nxt}>; rel="next"'}
        )

    client, seen, _ = make_client(handler)
    assert [len(p.items) for p in client.iter_pages(LOGS)] == [1, 1, 1, 0]
    assert [r.url.params.get("after") for r in seen] == [None, "1", "2", "end"]
    client, seen, _ = make_client(handler)
    assert len(list(client.iter_pages(LOGS, max_pages=2))) == 2 and len(seen) == 2


def test_auth_must_be_an_okta_auth() -> None:
    with pytest.raises(ConfigError, match="auth must be an ApiTokenAuth or PrivateKeyJwtAuth"):
        OktaClient(ORG, "SSWS token")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "proxy",
    ["not a url", "ftp://proxy:21", "socks5://127.0.0.1:1080", "http://:3128", "http://u:secret@proxy:port"],
)
def test_unusable_proxy_urls_are_config_errors_without_credentials(proxy: str) -> None:
    with pytest.raises(ConfigError, match="proxy URL is not usable") as caught:
        ClientSettings(proxy=proxy)
    assert "secret" not in str(caught.value) and "\n" not in str(caught.value)


def test_real_connection_refused_on_loopback() -> None:
    """No mock: a port just released on 127.0.0.1 refuses the connection."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    clock = FakeClock()
    settings = ClientSettings(connect_timeout=2.0, read_timeout=2.0, max_retries=1)
    with (
        OktaClient(
            f"http://127.0.0.1:{port}", ApiTokenAuth(TOKEN), settings, sleep=clock.sleep, clock=clock
        ) as client,
        pytest.raises(OktaTransportError) as caught,
    ):
        client.get_page(LOGS)
    assert str(caught.value) == (
        f"cannot connect to http://127.0.0.1:{port} (ConnectError, after 2 attempts): "
        "check the org URL, the network and the proxy setting"
    )
    assert len(clock.sleeps) == 1


def test_real_read_timeout_is_enforced() -> None:
    """No mock: a listener that never answers; the explicit read timeout ends each attempt."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        clock = FakeClock()
        settings = ClientSettings(connect_timeout=1.0, read_timeout=0.2, max_retries=1)
        started = time.monotonic()
        with (
            OktaClient(
                f"http://127.0.0.1:{port}", ApiTokenAuth(TOKEN), settings, sleep=clock.sleep, clock=clock
            ) as client,
            pytest.raises(OktaTransportError) as caught,
        ):
            client.get_page(LOGS)
        elapsed = time.monotonic() - started
    assert "Okta did not answer GET /api/v1/logs within 0.2 s (after 2 attempts)" in str(caught.value)
    assert 0.4 <= elapsed < 5.0
