"""Error-body parsing, WWW-Authenticate parsing, scope hints and class selection."""

from __future__ import annotations

import json

import httpx
import pytest
from okta_http import REFERENCE
from okta_ir.errors import (
    OktaAuthError,
    OktaBadRequestError,
    OktaNotFoundError,
    OktaPermissionError,
    OktaRateLimitError,
    OktaServerError,
)
from okta_ir.okta.errormap import (
    api_error,
    error_class_for_status,
    likely_scope,
    parse_error_body,
    parse_www_authenticate,
    token_error,
)


def test_parse_okta_and_oauth_error_bodies() -> None:
    body = parse_error_body(
        httpx.Response(
            403,
            json={
                "errorCode": "E0000032",
                "errorSummary": "Unlock is not allowed for this user.",
                "errorLink": "E0000032",
                "errorId": "oae9W",
                "errorCauses": [{"errorSummary": "The user is not locked out."}, {"x": 1}, "junk"],
            },
        )
    )
    assert (body.code, body.summary, body.error_id, body.causes) == (
        "E0000032",
        "Unlock is not allowed for this user.",
        "oae9W",
        ("The user is not locked out.",),
    )
    oauth = parse_error_body(
        httpx.Response(400, json={"error": "invalid_scope", "error_description": "nope"})
    )
    assert (oauth.code, oauth.summary) == ("invalid_scope", "nope")
    for response in (httpx.Response(500, text="<html>"), httpx.Response(500), httpx.Response(500, json=[1])):
        empty = parse_error_body(response)
        assert (empty.code, empty.summary, empty.error_id, empty.causes) == (None, None, None, ())
    long = parse_error_body(httpx.Response(400, json={"errorSummary": "x" * 1000}))
    assert long.summary is not None and len(long.summary) == 300 and long.summary.endswith("...")


def test_parse_www_authenticate() -> None:
    assert parse_www_authenticate(
        'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce"'
    ) == ("DPoP", {"error": "use_dpop_nonce", "error_description": "Resource server requires nonce"})
    assert parse_www_authenticate(
        'Bearer realm="x", scope="okta.logs.read okta.users.read", error=insufficient_scope'
    ) == ("Bearer", {"realm": "x", "scope": "okta.logs.read okta.users.read", "error": "insufficient_scope"})
    assert parse_www_authenticate('error="invalid_token"') == ("", {"error": "invalid_token"})


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "/api/v1/logs", "okta.logs.read"),
        ("GET", "/api/v1/users/00u1", "okta.users.read"),
        ("POST", "/api/v1/users/00u1/lifecycle/suspend", "okta.users.manage"),
        ("DELETE", "/api/v1/users/00u1/sessions", "okta.users.manage"),
        ("PUT", "/api/v1/groups/00g1/users/00u1", "okta.groups.manage"),
        ("PUT", "/api/v1/zones/nzo1", "okta.networkZones.manage"),
        ("DELETE", "/api/v1/sessions/102abc", "okta.sessions.manage"),
        ("GET", "/api/v1/apps", None),
        ("GET", "/api/v1/logsX", None),
    ],
)
def test_likely_scope(method: str, path: str, scope) -> None:
    assert likely_scope(method, path) == scope


def test_class_for_status() -> None:
    got = [error_class_for_status(s) for s in (400, 401, 403, 404, 409, 429, 500, 503)]
    assert got == [
        OktaBadRequestError,
        OktaAuthError,
        OktaPermissionError,
        OktaNotFoundError,
        OktaBadRequestError,
        OktaRateLimitError,
        OktaServerError,
        OktaServerError,
    ]


def test_rate_limit_error_carries_reset_in() -> None:
    error = api_error(
        httpx.Response(429, json={"errorCode": "E0000047"}),
        method="GET",
        path="/api/v1/logs",
        auth_kind="api_token",
        reset_in=42.0,
    )
    assert isinstance(error, OktaRateLimitError) and error.reset_in == 42.0 and "for 42 s more" in str(error)


def test_token_error_fallbacks() -> None:
    assert isinstance(token_error(httpx.Response(500), scopes=()), OktaServerError)
    assert isinstance(token_error(httpx.Response(404), scopes=()), OktaNotFoundError)
    assert "check the org URL" in str(token_error(httpx.Response(404), scopes=()))
    weird = token_error(httpx.Response(400, json={"error": "something_new"}), scopes=())
    assert isinstance(weird, OktaAuthError) and weird.error_code == "something_new"


def _reference(name: str) -> list[dict]:
    return json.loads((REFERENCE / "spec" / name).read_text(encoding="utf-8"))["errors"]


def test_every_documented_api_error_maps_to_its_status_class() -> None:
    """okta-reference/spec/error-codes.json: each documented error body, served with its status."""
    documented = [e for e in _reference("error-codes.json") if e["statusCode"] >= 400]
    assert len(documented) > 200
    for entry in documented:
        body = {
            "errorCode": entry["errorCode"],
            "errorSummary": entry["errorSummary"],
            "errorLink": entry["errorCode"],
            "errorId": "oaeREF",
            "errorCauses": [],
        }
        error = api_error(
            httpx.Response(entry["statusCode"], json=body),
            method="POST",
            path="/api/v1/users/00u1/lifecycle/suspend",
            auth_kind="oauth",
        )
        assert type(error) is error_class_for_status(entry["statusCode"]), entry["errorCode"]
        assert (error.status, error.error_code, error.error_id) == (
            entry["statusCode"],
            entry["errorCode"],
            "oaeREF",
        )
        assert entry["errorCode"] in str(error) and "\n" not in str(error)


def test_every_documented_oauth_error_is_typed_and_says_what_to_do() -> None:
    """okta-reference/spec/oauth2-error-codes.json at the token endpoint."""
    expected = {
        "invalid_client": OktaAuthError,
        "invalid_scope": OktaPermissionError,
        "insufficient_scope": OktaPermissionError,
        "access_denied": OktaPermissionError,
        "unauthorized_client": OktaAuthError,
        "invalid_dpop_proof": OktaAuthError,
    }
    for entry in _reference("oauth2-error-codes.json"):
        response = httpx.Response(
            entry["statusCode"],
            json={"error": entry["errorCode"], "error_description": entry["errorDescription"]},
        )
        error = token_error(response, scopes=("okta.logs.read",))
        assert type(error) in expected.values() or type(error) in (
            OktaBadRequestError,
            OktaServerError,
            OktaRateLimitError,
            OktaNotFoundError,
        ), entry
        if entry["errorCode"] in expected:
            assert type(error) is expected[entry["errorCode"]]
        message = str(error)
        assert (
            message.startswith("Okta refused the OAuth token request (HTTP ")
            and entry["errorCode"] in message
        )
        assert "): " in message and "\n" not in message
