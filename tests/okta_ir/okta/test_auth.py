"""SSWS and OAuth private_key_jwt (+ DPoP) through the client, against a MockTransport authorization server.

Every client assertion and DPoP proof is verified with ``cryptography`` (okta_http.verify_jws).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import random
from collections.abc import Callable
from typing import Any, Optional

import httpx
import pytest
from okta_http import (
    ORG,
    FakeClock,
    form_of,
    http_date,
    new_ec,
    new_rsa,
    pem,
    public_from_jwk,
    recorder,
    verify_jws,
)
from okta_ir.errors import (
    ConfigError,
    InvalidResponseError,
    OktaAuthError,
    OktaBadRequestError,
    OktaPermissionError,
)
from okta_ir.okta.auth import ApiTokenAuth, PrivateKeyJwtAuth, load_private_key
from okta_ir.okta.client import ClientSettings, OktaClient
from okta_ir.okta.keys import jwk_thumbprint

TOKEN_URL = f"{ORG}/oauth2/v1/token"
RSA_KEY, EC_KEY = new_rsa(), new_ec()
RSA_PEM, EC_PEM = pem(RSA_KEY, "pkcs8"), pem(EC_KEY, "sec1")


def ath(token: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(token.encode()).digest()).rstrip(b"=").decode()


class AuthServer:
    """Okta's org authorization server and one API, as far as the client can observe them."""

    def __init__(
        self,
        clock: FakeClock,
        crypto_key: Any,
        *,
        token_type: str = "DPoP",
        token_nonce: Optional[str] = None,
        api_nonce: Optional[str] = None,
        expires_in: int = 3600,
    ) -> None:
        self.clock, self.crypto_key, self.token_type = clock, crypto_key, token_type
        self.token_nonce, self.api_nonce, self.expires_in = token_nonce, api_nonce, expires_in
        self.issued: list[str] = []
        self.revoked: set[str] = set()
        self.assertions: list[tuple[dict, dict]] = []
        self.proofs: list[tuple[dict, dict]] = []
        self.token_error: Optional[httpx.Response] = None

    def _proof(self, request: httpx.Request) -> Optional[tuple[dict, dict]]:
        proof = request.headers.get("dpop")
        if proof is None:
            return None
        header = json.loads(base64.urlsafe_b64decode(proof.split(".")[0] + "=="))
        checked = verify_jws(proof, public_from_jwk(header["jwk"]))
        self.proofs.append(checked)
        return checked

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth2/v1/token":
            return self.token(request)
        return self.api(request)

    def token(self, request: httpx.Request) -> httpx.Response:
        form = form_of(request)
        self.assertions.append(verify_jws(form["client_assertion"], self.crypto_key.public_key()))
        proof = self._proof(request)
        if self.token_error is not None:
            return self.token_error
        if self.token_type == "DPoP":
            assert proof is not None
            if self.token_nonce and proof[1].get("nonce") != self.token_nonce:
                return httpx.Response(
                    400,
                    json={
                        "error": "use_dpop_nonce",
                        "error_description": "Authorization server requires nonce in DPoP proof.",
                    },
                    headers={"DPoP-Nonce": self.token_nonce},
                )
        value = f"at-{len(self.issued) + 1}"
        self.issued.append(value)
        return httpx.Response(
            200,
            json={
                "token_type": self.token_type,
                "expires_in": self.expires_in,
                "access_token": value,
                "scope": form["scope"],
            },
        )

    def api(self, request: httpx.Request) -> httpx.Response:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if value not in self.issued or value in self.revoked:
            return httpx.Response(
                401,
                json={"errorCode": "E0000011", "errorSummary": "Invalid token provided", "errorCauses": []},
                headers={"WWW-Authenticate": f'{scheme} error="invalid_token"'},
            )
        if self.token_type == "DPoP":
            assert scheme == "DPoP"
            proof = self._proof(request)
            assert proof is not None and proof[1]["ath"] == ath(value)
            if self.api_nonce and proof[1].get("nonce") != self.api_nonce:
                return httpx.Response(
                    401,
                    headers={
                        "WWW-Authenticate": 'DPoP error="use_dpop_nonce", '
                        'error_description="Resource server requires nonce in DPoP proof"',
                        "DPoP-Nonce": self.api_nonce,
                    },
                )
        else:
            assert scheme == "Bearer" and "dpop" not in request.headers
        return httpx.Response(200, json=[{"uuid": "u1"}])


def oauth_client(
    server: Callable[[httpx.Request], httpx.Response], clock: FakeClock, auth: PrivateKeyJwtAuth
):
    transport, seen = recorder(server)
    return OktaClient(
        ORG, auth, ClientSettings(), transport=transport, sleep=clock.sleep, clock=clock, rng=random.Random(1)
    ), seen


def test_api_token_auth_header_prefix_and_validation() -> None:
    assert ApiTokenAuth("SSWS abc123").headers("GET", ORG, None) == {"Authorization": "SSWS abc123"}  # type: ignore[arg-type]
    assert ApiTokenAuth("  abc123\n").headers("GET", ORG, None) == {"Authorization": "SSWS abc123"}  # type: ignore[arg-type]
    for bad in ("", "   ", "abc 123", "abc\r\nX-Evil: 1", "tökén"):
        with pytest.raises(ConfigError, match="API token is empty or contains"):
            ApiTokenAuth(bad)
    assert repr(ApiTokenAuth("abc123")) == "ApiTokenAuth(token=<redacted>)"


@pytest.mark.parametrize(
    ("crypto_key", "key_pem", "alg"), [(RSA_KEY, RSA_PEM, "RS256"), (EC_KEY, EC_PEM, "ES256")]
)
def test_client_credentials_with_private_key_jwt_bearer(crypto_key, key_pem, alg) -> None:
    clock = FakeClock(start=1_700_000_000.0)
    server = AuthServer(clock, crypto_key, token_type="Bearer")
    auth = PrivateKeyJwtAuth(
        "0oa1client", key_pem, ["okta.logs.read", "okta.users.manage"], dpop=False, key_id="kid-42"
    )
    client, seen = oauth_client(server, clock, auth)
    assert client.get_page("/api/v1/logs").items == [{"uuid": "u1"}]
    token_request, api_request = seen
    assert token_request.method == "POST" and str(token_request.url) == TOKEN_URL
    assert token_request.headers["content-type"] == "application/x-www-form-urlencoded"
    form = form_of(token_request)
    assert {k: v for k, v in form.items() if k != "client_assertion"} == {
        "grant_type": "client_credentials",
        "scope": "okta.logs.read okta.users.manage",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    }
    header, claims = server.assertions[0]
    assert header == {"alg": alg, "typ": "JWT", "kid": "kid-42"}
    assert claims["iss"] == claims["sub"] == "0oa1client" and claims["aud"] == TOKEN_URL
    assert claims["iat"] == 1_700_000_000 and 0 < claims["exp"] - claims["iat"] <= 3600 and claims["jti"]
    assert api_request.headers["authorization"] == "Bearer at-1" and "dpop" not in api_request.headers


def test_assertions_have_unique_jti_and_no_kid_unless_known() -> None:
    clock = FakeClock()
    server = AuthServer(clock, EC_KEY, token_type="Bearer", expires_in=100)
    client, _ = oauth_client(server, clock, PrivateKeyJwtAuth("0oa1", EC_PEM, "okta.logs.read", dpop=False))
    client.get_page("/api/v1/logs")
    clock.now += 100
    client.get_page("/api/v1/logs")
    assert len(server.assertions) == 2
    assert server.assertions[0][1]["jti"] != server.assertions[1][1]["jti"]
    assert "kid" not in server.assertions[0][0]


def test_kid_defaults_to_the_jwk_kid() -> None:
    jwk = load_private_key(EC_PEM).private_jwk()
    jwk["kid"] = "from-jwk"
    auth = PrivateKeyJwtAuth("0oa1", json.dumps(jwk), ["okta.logs.read"], dpop=False)
    assert auth.key_id == "from-jwk"
    header, _ = verify_jws(auth.client_assertion(TOKEN_URL, 1.0), EC_KEY.public_key())
    assert header["kid"] == "from-jwk"


def test_dpop_token_request_retries_once_with_the_nonce_then_api_calls_carry_proofs() -> None:
    clock = FakeClock(start=1_700_000_000.0)
    server = AuthServer(clock, RSA_KEY, token_nonce="srv-nonce-1")
    auth = PrivateKeyJwtAuth("0oa1", RSA_PEM, ["okta.logs.read"])
    client, seen = oauth_client(server, clock, auth)
    client.get_page("/api/v1/logs", {"since": "2025-01-01T00:00:00Z"})
    assert [str(r.url).split("?")[0] for r in seen] == [TOKEN_URL, TOKEN_URL, f"{ORG}/api/v1/logs"]
    (h1, c1), (h2, c2), (h3, c3) = server.proofs
    for header in (h1, h2, h3):
        assert header["typ"] == "dpop+jwt" and header["alg"] == "ES256" and "d" not in header["jwk"]
        assert jwk_thumbprint(header["jwk"]) == auth.dpop_thumbprint
    assert set(c1) == {"htm", "htu", "iat", "jti"} and c1["htm"] == "POST" and c1["htu"] == TOKEN_URL
    assert c2["nonce"] == "srv-nonce-1" and c2["jti"] != c1["jti"] and "ath" not in c2
    assert c3 == {
        "htm": "GET",
        "htu": f"{ORG}/api/v1/logs",
        "iat": 1_700_000_000,
        "jti": c3["jti"],
        "ath": ath("at-1"),
    }
    assert seen[2].headers["authorization"] == "DPoP at-1"
    assert server.assertions[0][1]["jti"] != server.assertions[1][1]["jti"]  # a fresh assertion on the retry


def test_dpop_nonce_demand_on_an_api_401_is_retried_with_the_nonce() -> None:
    clock = FakeClock()
    server = AuthServer(clock, EC_KEY, api_nonce="api-nonce-7")
    client, _seen = oauth_client(server, clock, PrivateKeyJwtAuth("0oa1", EC_PEM, ["okta.logs.read"]))
    assert client.get_page("/api/v1/logs").items == [{"uuid": "u1"}]
    api_proofs = [c for _, c in server.proofs if c["htu"].endswith("/api/v1/logs")]
    assert [c.get("nonce") for c in api_proofs] == [None, "api-nonce-7"]
    assert len(server.issued) == 1  # the nonce retry does not fetch a new token
    client.get_page("/api/v1/logs")
    assert server.proofs[-1][1]["nonce"] == "api-nonce-7"  # remembered for later calls


def test_token_is_cached_until_60_seconds_before_expiry() -> None:
    clock = FakeClock(start=1000.0)
    server = AuthServer(clock, EC_KEY)
    client, _ = oauth_client(server, clock, PrivateKeyJwtAuth("0oa1", EC_PEM, ["okta.logs.read"]))
    client.get_page("/api/v1/logs")
    clock.now = 1000.0 + 3600 - 60 - 0.5
    client.get_page("/api/v1/logs")
    assert server.issued == ["at-1"]
    clock.now = 1000.0 + 3600 - 60
    client.get_page("/api/v1/logs")
    assert server.issued == ["at-1", "at-2"]


def test_401_with_a_cached_token_refreshes_once() -> None:
    clock = FakeClock()
    server = AuthServer(clock, EC_KEY)
    client, seen = oauth_client(server, clock, PrivateKeyJwtAuth("0oa1", EC_PEM, ["okta.logs.read"]))
    client.get_page("/api/v1/logs")
    server.revoked.add("at-1")
    assert client.get_page("/api/v1/logs").items == [{"uuid": "u1"}]
    assert server.issued == ["at-1", "at-2"] and len(seen) == 5


def test_401_persisting_after_refresh_raises_oauth_worded_auth_error() -> None:
    clock = FakeClock()
    server = AuthServer(clock, EC_KEY, token_type="Bearer")
    auth = PrivateKeyJwtAuth("0oa1", EC_PEM, ["okta.logs.read"], dpop=False)
    client, seen = oauth_client(server, clock, auth)
    client.get_page("/api/v1/logs")
    server.revoked.update({"at-1", "at-2", "at-3"})
    with pytest.raises(OktaAuthError, match="the access token was refused: check the service app"):
        client.get_page("/api/v1/logs")
    assert server.issued == ["at-1", "at-2"]  # one refresh, no loop
    assert len(seen) == 2 + 1 + 2


def test_fresh_token_refused_is_not_refreshed() -> None:
    clock = FakeClock()
    server = AuthServer(clock, EC_KEY, token_type="Bearer")
    server.revoked.add("at-1")
    client, _ = oauth_client(server, clock, PrivateKeyJwtAuth("0oa1", EC_PEM, ["okta.logs.read"], dpop=False))
    with pytest.raises(OktaAuthError):
        client.get_page("/api/v1/logs")
    assert server.issued == ["at-1"]


@pytest.mark.parametrize(
    ("status", "body", "cls", "snippet"),
    [
        (
            401,
            {"error": "invalid_client", "error_description": "The client_assertion signature is invalid."},
            OktaAuthError,
            "invalid_client: The client_assertion signature is invalid.): check the client id",
        ),
        (
            400,
            {
                "error": "invalid_scope",
                "error_description": "The following scopes are not allowed: [okta.logs.read]",
            },
            OktaPermissionError,
            "scopes requested: okta.logs.read; grant the requested scopes to the service app",
        ),
        (
            400,
            {"error": "unauthorized_client", "error_description": "The client is not authorized"},
            OktaAuthError,
            "enable the Client Credentials grant",
        ),
        (
            403,
            {"error": "access_denied", "error_description": "The resource owner denied the request."},
            OktaPermissionError,
            "policy refused the request",
        ),
        (400, {"error": "invalid_request", "error_description": "bad"}, OktaBadRequestError, "malformed"),
        (400, {"error": "use_dpop_nonce", "error_description": "again"}, OktaAuthError, "use_dpop_nonce"),
        (401, "not json", OktaAuthError, "(HTTP 401): check the service app credentials"),
    ],
)
def test_token_endpoint_errors_are_typed_and_never_leak_the_assertion(status, body, cls, snippet) -> None:
    clock = FakeClock()
    server = AuthServer(clock, EC_KEY, token_nonce="n")
    server.token_error = (
        httpx.Response(status, json=body, headers={"DPoP-Nonce": "n2"})
        if isinstance(body, dict)
        else httpx.Response(status, text=body)
    )
    auth = PrivateKeyJwtAuth("0oa1", EC_PEM, ["okta.logs.read"])
    client, seen = oauth_client(server, clock, auth)
    with pytest.raises(cls) as caught:
        client.get_page("/api/v1/logs")
    message = str(caught.value)
    assert snippet in message
    assert "Okta refused the OAuth token request" in message
    assertions = [form_of(r)["client_assertion"] for r in seen]
    for secret in assertions + [r.headers["dpop"] for r in seen]:
        assert secret not in message and secret not in repr(caught.value)
    expected_requests = 2 if body == {"error": "use_dpop_nonce", "error_description": "again"} else 1
    assert len(seen) == expected_requests  # the nonce retry happens once only


def test_dpop_required_but_off_says_enable_dpop() -> None:
    clock = FakeClock()
    server = AuthServer(clock, EC_KEY)
    server.token_error = httpx.Response(
        400,
        json={"error": "invalid_dpop_proof", "error_description": "The DPoP proof JWT header is missing."},
    )
    client, _ = oauth_client(server, clock, PrivateKeyJwtAuth("0oa1", EC_PEM, ["okta.logs.read"], dpop=False))
    with pytest.raises(OktaAuthError, match="the service app requires DPoP: enable DPoP"):
        client.get_page("/api/v1/logs")


def test_token_endpoint_5xx_is_retried_by_the_client() -> None:
    clock = FakeClock()
    server = AuthServer(clock, EC_KEY, token_type="Bearer")
    answers = iter([httpx.Response(503, text="busy")])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth2/v1/token":
            answer = next(answers, None)
            if answer is not None:
                return answer
        return server(request)

    client, seen = oauth_client(
        handler, clock, PrivateKeyJwtAuth("0oa1", EC_PEM, ["okta.logs.read"], dpop=False)
    )
    assert client.get_page("/api/v1/logs").items == [{"uuid": "u1"}]
    assert len(seen) == 3 and len(clock.sleeps) == 1
    first, second = (verify_jws(form_of(r)["client_assertion"], EC_KEY.public_key())[1] for r in seen[:2])
    assert first["jti"] != second["jti"]  # a retried token request never replays its assertion


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html>", "without a JSON object"),
        (json.dumps({"token_type": "Bearer"}).encode(), "without access_token/token_type"),
        (
            json.dumps({"token_type": "Bearer", "access_token": "a", "expires_in": "soon"}).encode(),
            "non-numeric",
        ),
        (
            json.dumps({"token_type": "Bearer", "access_token": "a b"}).encode(),
            "access token with invalid characters",
        ),
        (
            json.dumps({"token_type": "DPoP", "access_token": "a", "expires_in": 60}).encode(),
            "although DPoP is off",
        ),
    ],
)
def test_malformed_token_answers(body: bytes, reason: str) -> None:
    clock = FakeClock()
    auth = PrivateKeyJwtAuth("0oa1", EC_PEM, ["okta.logs.read"], dpop=False)
    client, _ = oauth_client(lambda r: httpx.Response(200, content=body), clock, auth)
    with pytest.raises(InvalidResponseError, match=reason):
        client.get_page("/api/v1/logs")


def test_bearer_token_even_with_dpop_on() -> None:
    clock = FakeClock()
    server = AuthServer(clock, EC_KEY, token_type="Bearer")
    client, seen = oauth_client(
        server, clock, PrivateKeyJwtAuth("0oa1", EC_PEM, ["okta.logs.read"], dpop=True)
    )
    client.get_page("/api/v1/logs")
    assert "dpop" in seen[0].headers  # the token request still proves possession
    assert seen[1].headers["authorization"] == "Bearer at-1" and "dpop" not in seen[1].headers


def test_configuration_errors_and_repr_without_secrets(caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(ConfigError, match="no OAuth scopes configured"):
        PrivateKeyJwtAuth("0oa1", EC_PEM, [])
    with pytest.raises(ConfigError, match="OAuth client id is empty"):
        PrivateKeyJwtAuth(" ", EC_PEM, ["okta.logs.read"])
    with pytest.raises(ConfigError, match="not found"):
        PrivateKeyJwtAuth("0oa1", "/nonexistent/key.pem", ["okta.logs.read"])
    for given in (
        "okta.logs.read|okta.users.manage",
        ["okta.logs.read, okta.users.manage", "okta.logs.read"],
    ):
        assert PrivateKeyJwtAuth("0oa1", EC_PEM, given).scopes == ("okta.logs.read", "okta.users.manage")
    auth = PrivateKeyJwtAuth("0oa1", EC_PEM, "okta.logs.read  okta.users.manage", key_id="k1")
    assert auth.scopes == ("okta.logs.read", "okta.users.manage")
    assert repr(auth) == (
        "PrivateKeyJwtAuth(client_id='0oa1', scopes=['okta.logs.read', 'okta.users.manage'], "
        "dpop=True, key_id='k1', alg='ES256')"
    )
    caplog.set_level(logging.DEBUG, logger="okta_ir.okta")
    clock = FakeClock()
    server = AuthServer(clock, EC_KEY)
    client, seen = oauth_client(server, clock, auth)
    client.get_page("/api/v1/logs")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "POST /oauth2/v1/token -> 200" in logged and "GET /api/v1/logs -> 200" in logged
    for secret in [
        "at-1",
        form_of(seen[0])["client_assertion"],
        seen[0].headers["dpop"],
        seen[1].headers["dpop"],
    ]:
        assert secret not in logged and secret not in repr(client) and secret not in repr(auth)


def test_dpop_htu_is_the_canonical_wire_url() -> None:
    clock = FakeClock()
    server = AuthServer(clock, EC_KEY)
    client, seen = oauth_client(server, clock, PrivateKeyJwtAuth("0oa1", EC_PEM, ["okta.logs.read"]))
    client.get_page("https://ACME.okta.com:443/api/v1/logs?after=abc#frag")
    client.request("GET", "/api/v1/users/john doe@acme.com")
    api_proofs = [c for _, c in server.proofs if c["htm"] == "GET"]
    assert [c["htu"] for c in api_proofs] == [f"{ORG}/api/v1/logs", f"{ORG}/api/v1/users/john%20doe@acme.com"]
    assert [str(r.url) for r in seen[-2:]] == [
        f"{ORG}/api/v1/logs?after=abc",
        f"{ORG}/api/v1/users/john%20doe@acme.com",
    ]


def test_skewed_local_clock_is_corrected_from_the_servers_date() -> None:
    """The local clock is 10 minutes slow: the first assertion is refused, the answer's Date fixes it."""
    clock = FakeClock(start=1_700_000_000.0)
    server_offset = 600.0
    server = AuthServer(clock, EC_KEY, token_nonce="n1")

    def handler(request: httpx.Request) -> httpx.Response:
        server_now = clock.now + server_offset
        if request.url.path == "/oauth2/v1/token":
            iat = verify_jws(form_of(request)["client_assertion"], EC_KEY.public_key())[1]["iat"]
            if abs(iat - server_now) > 60:
                response = httpx.Response(
                    401,
                    json={
                        "error": "invalid_client",
                        "error_description": "The client_assertion token is expired.",
                    },
                )
                response.headers["Date"] = http_date(server_now)
                return response
        response = server(request)
        response.headers["Date"] = http_date(server_now)
        return response

    client, seen = oauth_client(handler, clock, PrivateKeyJwtAuth("0oa1", EC_PEM, ["okta.logs.read"]))
    assert client.get_page("/api/v1/logs").items == [{"uuid": "u1"}]
    assert [r.url.path for r in seen] == ["/oauth2/v1/token"] * 3 + ["/api/v1/logs"]
    sent = [verify_jws(form_of(r)["client_assertion"], EC_KEY.public_key())[1]["iat"] for r in seen[:3]]
    assert sent == [1_700_000_000, 1_700_000_600, 1_700_000_600]  # refused, then nonce demanded, then issued
    assert server.proofs[-1][1]["iat"] == 1_700_000_600  # API proofs follow Okta's clock too

    server.token_error = httpx.Response(401, json={"error": "invalid_client", "error_description": "bad key"})
    auth = PrivateKeyJwtAuth("0oa1", EC_PEM, ["okta.logs.read"], dpop=False)
    client, seen = oauth_client(server, clock, auth)
    with pytest.raises(OktaAuthError, match="invalid_client"):
        client.get_page("/api/v1/logs")
    assert len(seen) == 1  # no clock retry when the clock was not the problem
