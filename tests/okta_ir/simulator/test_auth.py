"""Auth against the simulated org: SSWS tokens, OAuth private_key_jwt (RS256/ES256), DPoP, scopes.

Assertions and proofs are built here with `cryptography`, independently of the project's Okta client.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any, Optional

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from okta_ir.simulator import RunningSimulator, Simulator, SimulatorConfig
from okta_ir.simulator.jose import jwk_thumbprint

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _int(n: int) -> str:
    return b64(n.to_bytes((n.bit_length() + 7) // 8, "big"))


class Key:
    """A test key pair that signs compact JWS and exposes its public JWK."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        if kind == "RSA":
            self.private: Any = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            nums = self.private.public_key().public_numbers()
            self.jwk = {"kty": "RSA", "n": _int(nums.n), "e": _int(nums.e)}
            self.alg = "RS256"
        else:
            self.private = ec.generate_private_key(ec.SECP256R1())
            nums = self.private.public_key().public_numbers()
            self.jwk = {
                "kty": "EC",
                "crv": "P-256",
                "x": b64(nums.x.to_bytes(32, "big")),
                "y": b64(nums.y.to_bytes(32, "big")),
            }
            self.alg = "ES256"

    def sign(self, claims: dict[str, Any], header: Optional[dict[str, Any]] = None) -> str:
        head = {"alg": self.alg, **(header or {})}
        signing_input = f"{b64(json.dumps(head).encode())}.{b64(json.dumps(claims).encode())}".encode()
        if self.kind == "RSA":
            sig = self.private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        else:
            r, s = decode_dss_signature(self.private.sign(signing_input, ec.ECDSA(hashes.SHA256())))
            sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return signing_input.decode() + "." + b64(sig)


@pytest.fixture(scope="module")
def rsa_key() -> Key:
    return Key("RSA")


@pytest.fixture(scope="module")
def ec_key() -> Key:
    return Key("EC")


@pytest.fixture(scope="module")
def dpop_key() -> Key:
    return Key("EC")


@pytest.fixture(scope="module")
def org(rsa_key: Key, ec_key: Key) -> Iterator[RunningSimulator]:
    clients = {
        "0oa-rsa": rsa_key.jwk,
        "0oa-ec": {"jwk": ec_key.jwk, "scopes": ["okta.logs.read"]},
    }
    config = SimulatorConfig(
        scenario="background", seed=4, events=300, api_tokens=frozenset({"good-token"}), oauth_clients=clients
    )
    with Simulator(config).serve() as running:
        yield running


def assertion(key: Key, client_id: str, token_url: str, **overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": token_url,
        "iat": now,
        "exp": now + 300,
        "jti": str(uuid.uuid4()),
    }
    claims.update(overrides)
    return key.sign({k: v for k, v in claims.items() if v is not None})


def token_form(client_assertion: str, scope: str = "okta.logs.read") -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "scope": scope,
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion,
    }


def proof(
    key: Key,
    method: str,
    url: str,
    nonce: Optional[str] = None,
    access: Optional[str] = None,
    **overrides: Any,
) -> str:
    claims: dict[str, Any] = {"htm": method, "htu": url, "iat": int(time.time()), "jti": str(uuid.uuid4())}
    if nonce:
        claims["nonce"] = nonce
    if access:
        claims["ath"] = b64(hashlib.sha256(access.encode()).digest())
    claims.update(overrides)
    return key.sign(claims, {"typ": "dpop+jwt", "jwk": key.jwk})


def test_ssws_good_token_accepted_bad_token_rejected_like_okta(org: RunningSimulator) -> None:
    with httpx.Client(timeout=10) as c:
        ok = c.get(org.base_url + "/api/v1/logs?limit=1", headers={"Authorization": "SSWS good-token"})
        bad = c.get(org.base_url + "/api/v1/logs?limit=1", headers={"Authorization": "SSWS wrong"})
        missing = c.get(org.base_url + "/api/v1/logs?limit=1")
    assert ok.status_code == 200
    for resp in (bad, missing):
        assert resp.status_code == 401
        body = resp.json()
        assert list(body) == ["errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"]
        assert (body["errorCode"], body["errorSummary"], body["errorLink"], body["errorCauses"]) == (
            "E0000011",
            "Invalid token provided",
            "E0000011",
            [],
        )
        assert "wrong" not in resp.text


def test_any_ssws_token_accepted_when_none_configured() -> None:
    with (
        Simulator(SimulatorConfig(scenario="background", seed=4, events=300)).serve() as running,
        httpx.Client(timeout=10) as c,
    ):
        assert (
            c.get(running.base_url + "/api/v1/logs", headers={"Authorization": "SSWS anything"}).status_code
            == 200
        )
        assert c.get(running.base_url + "/api/v1/logs", headers={"Authorization": "SSWS"}).status_code == 401


@pytest.mark.parametrize("which", ["rsa", "ec"])
def test_private_key_jwt_issues_bearer_token_that_reads_logs(
    org: RunningSimulator, rsa_key: Key, ec_key: Key, which: str
) -> None:
    key, client_id = (rsa_key, "0oa-rsa") if which == "rsa" else (ec_key, "0oa-ec")
    with httpx.Client(timeout=10) as c:
        resp = c.post(org.token_url, data=token_form(assertion(key, client_id, org.token_url)))
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 3600
        assert body["scope"] == "okta.logs.read"
        logs = c.get(
            org.base_url + "/api/v1/logs?limit=2", headers={"Authorization": f"Bearer {body['access_token']}"}
        )
        assert logs.status_code == 200
        assert len(logs.json()) == 2


@pytest.mark.parametrize(
    ("change", "status", "error", "fragment"),
    [
        ({"aud": "http://127.0.0.1/oauth2/v1/token"}, 401, "invalid_client", "audience"),
        ({"sub": "someone-else"}, 401, "invalid_client", "iss and sub"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000}, 401, "invalid_client", "expired"),
        ({"exp": int(time.time()) + 7200}, 401, "invalid_client", "at most one hour"),
        ({"jti": None}, 401, "invalid_client", "jti"),
        ({"iss": "0oa-unknown", "sub": "0oa-unknown"}, 401, "invalid_client", "not registered"),
    ],
)
def test_bad_client_assertions_are_refused(
    org: RunningSimulator, rsa_key: Key, change: dict[str, Any], status: int, error: str, fragment: str
) -> None:
    form = token_form(assertion(rsa_key, "0oa-rsa", org.token_url, **change))
    with httpx.Client(timeout=10) as c:
        resp = c.post(org.token_url, data=form)
    assert resp.status_code == status
    assert resp.json()["error"] == error
    assert fragment in resp.json()["error_description"]
    assert form["client_assertion"] not in resp.text


def test_wrong_key_and_replayed_jti_are_refused(org: RunningSimulator, rsa_key: Key) -> None:
    other = Key("RSA")
    with httpx.Client(timeout=10) as c:
        forged = c.post(org.token_url, data=token_form(assertion(other, "0oa-rsa", org.token_url)))
        assert (forged.status_code, forged.json()["error"]) == (401, "invalid_client")
        assert "signature" in forged.json()["error_description"]
        once = assertion(rsa_key, "0oa-rsa", org.token_url)
        assert c.post(org.token_url, data=token_form(once)).status_code == 200
        again = c.post(org.token_url, data=token_form(once))
        assert (again.status_code, again.json()["error"]) == (401, "invalid_client")
        assert "replay" in again.json()["error_description"]


def test_scope_not_granted_to_the_client_is_invalid_scope(org: RunningSimulator, ec_key: Key) -> None:
    form = token_form(assertion(ec_key, "0oa-ec", org.token_url), scope="okta.logs.read okta.users.manage")
    with httpx.Client(timeout=10) as c:
        resp = c.post(org.token_url, data=form)
    assert (resp.status_code, resp.json()["error"]) == (400, "invalid_scope")


def test_token_without_the_endpoint_scope_gets_403_insufficient_scope(
    org: RunningSimulator, rsa_key: Key
) -> None:
    with httpx.Client(timeout=10) as c:
        tok = c.post(org.token_url, data=token_form(assertion(rsa_key, "0oa-rsa", org.token_url))).json()
        user = next(iter(org.state.users.values()))
        resp = c.post(
            org.base_url + f"/api/v1/users/{user.id}/lifecycle/suspend",
            headers={"Authorization": f"Bearer {tok['access_token']}"},
        )
    assert resp.status_code == 403
    assert resp.content == b""
    assert resp.headers["www-authenticate"].startswith('Bearer error="insufficient_scope"')
    assert org.state.user_status(user.id) == "ACTIVE"


def test_dpop_nonce_flow_binding_and_ath(org: RunningSimulator, rsa_key: Key, dpop_key: Key) -> None:
    url = org.base_url + "/api/v1/logs"
    with httpx.Client(timeout=10) as c:
        first = c.post(
            org.token_url,
            data=token_form(assertion(rsa_key, "0oa-rsa", org.token_url)),
            headers={"DPoP": proof(dpop_key, "POST", org.token_url)},
        )
        assert first.status_code == 400
        assert first.json() == {
            "error": "use_dpop_nonce",
            "error_description": "Authorization server requires nonce in DPoP proof.",
        }
        nonce = first.headers["dpop-nonce"]
        second = c.post(
            org.token_url,
            data=token_form(assertion(rsa_key, "0oa-rsa", org.token_url)),
            headers={"DPoP": proof(dpop_key, "POST", org.token_url, nonce=nonce)},
        )
        assert second.status_code == 200, second.text
        body = second.json()
        assert (body["token_type"], body["expires_in"]) == ("DPoP", 3600)
        access = body["access_token"]
        good = c.get(
            url + "?limit=1",
            headers={"Authorization": f"DPoP {access}", "DPoP": proof(dpop_key, "GET", url, access=access)},
        )
        assert good.status_code == 200
        no_ath = c.get(url, headers={"Authorization": f"DPoP {access}", "DPoP": proof(dpop_key, "GET", url)})
        wrong_htu = c.get(
            url,
            headers={
                "Authorization": f"DPoP {access}",
                "DPoP": proof(dpop_key, "GET", org.base_url + "/api/v1/users", access=access),
            },
        )
        other_key = c.get(
            url,
            headers={"Authorization": f"DPoP {access}", "DPoP": proof(Key("EC"), "GET", url, access=access)},
        )
        as_bearer = c.get(url, headers={"Authorization": f"Bearer {access}"})
        for resp in (no_ath, wrong_htu, other_key, as_bearer):
            assert resp.status_code == 401
            assert resp.json()["errorCode"] == "E0000011"
        assert "ath" in no_ath.headers["www-authenticate"]
        assert "htu" in wrong_htu.headers["www-authenticate"]


def test_proof_jti_cannot_be_replayed(org: RunningSimulator, rsa_key: Key, dpop_key: Key) -> None:
    url = org.base_url + "/api/v1/logs"
    with httpx.Client(timeout=10) as c:
        nonce = c.post(
            org.token_url,
            data=token_form(assertion(rsa_key, "0oa-rsa", org.token_url)),
            headers={"DPoP": proof(dpop_key, "POST", org.token_url)},
        ).headers["dpop-nonce"]
        tok = c.post(
            org.token_url,
            data=token_form(assertion(rsa_key, "0oa-rsa", org.token_url)),
            headers={"DPoP": proof(dpop_key, "POST", org.token_url, nonce=nonce)},
        ).json()["access_token"]
        p = proof(dpop_key, "GET", url, access=tok)
        assert c.get(url, headers={"Authorization": f"DPoP {tok}", "DPoP": p}).status_code == 200
        assert c.get(url, headers={"Authorization": f"DPoP {tok}", "DPoP": p}).status_code == 401


def test_dpop_required_refuses_token_request_without_proof(rsa_key: Key) -> None:
    config = SimulatorConfig(
        scenario="background", seed=4, events=300, oauth_clients={"0oa-rsa": rsa_key.jwk}, dpop_required=True
    )
    with Simulator(config).serve() as running, httpx.Client(timeout=10) as c:
        resp = c.post(running.token_url, data=token_form(assertion(rsa_key, "0oa-rsa", running.token_url)))
    assert resp.status_code == 400
    assert resp.json() == {
        "error": "invalid_dpop_proof",
        "error_description": "The DPoP proof JWT header is missing.",
    }


def test_jwk_thumbprint_matches_rfc7638_example() -> None:
    jwk = {
        "kty": "RSA",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29",
        "n": (
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJE"
            "CPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2Q"
            "vzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6"
            "WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
        ),
    }
    assert jwk_thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
