"""End to end over real HTTP on 127.0.0.1: the client authenticates to the simulated org with SSWS,
private_key_jwt (RS256, Bearer) and private_key_jwt + DPoP (ES256, with the token endpoint's nonce),
and pages through the System Log. The simulator verifies signatures, claims, proofs and bindings itself.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from okta_http import new_ec, new_rsa, pem
from okta_ir.errors import OktaAuthError, OktaPermissionError
from okta_ir.okta.auth import ApiTokenAuth, Auth, PrivateKeyJwtAuth, load_private_key
from okta_ir.okta.client import ClientSettings, OktaClient
from okta_ir.simulator.config import SimulatorConfig
from okta_ir.simulator.running import RunningSimulator, Simulator

TOKEN = "00sim-token-abcdefghijklmnopqrstuvwxyz"
RSA_KEY = load_private_key(pem(new_rsa(), "pkcs1"))
EC_KEY = load_private_key(pem(new_ec(), "pkcs8"))
SETTINGS = ClientSettings(connect_timeout=5.0, read_timeout=10.0, max_retries=2, max_retry_seconds=10.0)


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    config = SimulatorConfig(
        scenario="background",
        events=300,
        api_tokens=frozenset({TOKEN}),
        oauth_clients={
            "0oaRsaLogsOnly": {"jwk": RSA_KEY.public_jwk(), "scopes": ["okta.logs.read"]},
            "0oaEcDpop": {"jwk": EC_KEY.public_jwk(), "scopes": ["okta.logs.read", "okta.users.read"]},
        },
    )
    with Simulator(config).serve(port=0) as running:
        yield running


def client_for(sim: RunningSimulator, auth: Auth) -> OktaClient:
    return OktaClient(sim.base_url, auth, SETTINGS)


def read_all_logs(client: OktaClient) -> list[str]:
    now = datetime.datetime.now(datetime.timezone.utc)
    window = [(now + datetime.timedelta(days=d)).strftime("%Y-%m-%dT%H:%M:%SZ") for d in (-89, 1)]
    params = {"since": window[0], "until": window[1], "limit": 100}
    return [event["uuid"] for page in client.iter_pages("/api/v1/logs", params) for event in page.items]


def test_api_token(sim: RunningSimulator) -> None:
    with client_for(sim, ApiTokenAuth(TOKEN)) as client:
        uuids = read_all_logs(client)
        assert len(uuids) == len(set(uuids)) == sim.event_count() == 300
        assert client.rate_limit_state["/api/v1/logs"].used_in_window >= 3
    with client_for(sim, ApiTokenAuth("00wrong")) as client, pytest.raises(OktaAuthError) as caught:
        client.get_page("/api/v1/logs", {"limit": 1})
    assert caught.value.error_code == "E0000011" and "check the API token" in str(caught.value)


def test_private_key_jwt_rs256_bearer(sim: RunningSimulator) -> None:
    auth = PrivateKeyJwtAuth("0oaRsaLogsOnly", RSA_KEY, ["okta.logs.read"], dpop=False)
    with client_for(sim, auth) as client:
        assert len(read_all_logs(client)) == 300
        with pytest.raises(OktaPermissionError, match=r"grant okta\.users\.read to the service app"):
            client.get_json("/api/v1/users/00uNOBODY")
    tokens = [r for r in sim.requests_log if r[1] == "/oauth2/v1/token"]
    assert tokens and all(status == 200 for *_, status in tokens)


def test_private_key_jwt_es256_with_dpop_and_nonce(sim: RunningSimulator) -> None:
    before = len(sim.requests_log)
    auth = PrivateKeyJwtAuth("0oaEcDpop", EC_KEY, ["okta.logs.read"], dpop=True)
    with client_for(sim, auth) as client:
        assert len(read_all_logs(client)) == 300
        token_calls = [
            status for _, path, _, status in sim.requests_log[before:] if path == "/oauth2/v1/token"
        ]
        assert token_calls == [400, 200]  # use_dpop_nonce, then the retry with the nonce
        sim.rotate_dpop_nonce()
        auth.invalidate()
        assert len(client.get_page("/api/v1/logs", {"limit": 5}).items) == 5


def test_scope_not_granted_to_the_app_is_refused_at_the_token_endpoint(sim: RunningSimulator) -> None:
    auth = PrivateKeyJwtAuth("0oaRsaLogsOnly", RSA_KEY, ["okta.logs.read", "okta.users.manage"], dpop=False)
    with client_for(sim, auth) as client, pytest.raises(OktaPermissionError) as caught:
        client.get_page("/api/v1/logs", {"limit": 1})
    assert caught.value.error_code == "invalid_scope"
    assert "scopes requested: okta.logs.read okta.users.manage" in str(caught.value)


def test_unknown_key_is_invalid_client(sim: RunningSimulator) -> None:
    other = load_private_key(pem(new_ec(), "pkcs8"))
    auth = PrivateKeyJwtAuth("0oaEcDpop", other, ["okta.logs.read"])
    with client_for(sim, auth) as client, pytest.raises(OktaAuthError) as caught:
        client.get_page("/api/v1/logs", {"limit": 1})
    assert caught.value.error_code == "invalid_client" and "check the client id" in str(caught.value)
