"""Account validation on save: fields, masked secrets, and a real test call against the simulator."""

from __future__ import annotations

import json
import socket

import pytest
from okta_ir.errors import ConfigError
from okta_ir.okta.keys import generate_ec_key
from okta_ir.simulator import Simulator, SimulatorConfig
from okta_ir.splunk.account_check import account_from_payload, check_connection, validate_account_payload

from tests.support.splunkd import SplunkdStandIn

TOKEN = "00good-token"
KEY = generate_ec_key()
NO_LOGS_KEY = generate_ec_key()


@pytest.fixture(scope="module")
def org():
    clients = {
        "0oalogs": {"jwk": KEY.public_jwk(), "scopes": ["okta.logs.read"]},
        "0oanologs": {"jwk": NO_LOGS_KEY.public_jwk(), "scopes": ["okta.users.manage"]},
    }
    config = SimulatorConfig(scenario="guide", seed=7, events=1000, api_tokens=frozenset({TOKEN}),
                             oauth_clients=clients)
    with Simulator(config).serve() as running:
        yield running


def test_good_api_token_passes(org):
    payload = {"org_url": org.base_url, "auth_type": "api_token", "api_token": TOKEN}
    account = account_from_payload("corp", payload)
    check_connection(account, timeout=5)


def test_bad_api_token_is_explained(org):
    payload = {"org_url": org.base_url, "auth_type": "api_token", "api_token": "00bad"}
    account = account_from_payload("corp", payload)
    with pytest.raises(ConfigError) as info:
        check_connection(account, timeout=5)
    assert str(info.value).startswith(
        "Okta refused the API token (HTTP 401 E0000011): it is wrong, revoked or expired"
    )
    assert "00bad" not in str(info.value)


def test_service_app_with_and_without_the_logs_scope(org):
    payload = {"org_url": org.base_url, "auth_type": "oauth_service_app", "client_id": "0oalogs",
               "private_key": json.dumps(KEY.private_jwk()), "scopes": "okta.logs.read", "dpop": "1"}
    check_connection(account_from_payload("svc", payload), timeout=5)
    payload.update(client_id="0oanologs", private_key=json.dumps(NO_LOGS_KEY.private_jwk()))
    with pytest.raises(ConfigError) as info:
        check_connection(account_from_payload("svc", payload), timeout=5)
    message = str(info.value)
    assert "okta.logs.read" in message or "refused the service app" in message
    assert NO_LOGS_KEY.private_jwk()["d"] not in message


def test_field_errors():
    with pytest.raises(ConfigError, match=r"is the admin console: use the org URL https://acme\.okta\.com"):
        account_from_payload("a", {"org_url": "https://acme-admin.okta.com", "api_token": "x"})
    with pytest.raises(ConfigError, match="must use https://"):
        account_from_payload("a", {"org_url": "http://acme.okta.com", "api_token": "x"})
    with pytest.raises(ConfigError, match="has no API token"):
        account_from_payload("a", {"org_url": "https://acme.okta.com", "auth_type": "api_token"})
    with pytest.raises(ConfigError, match=r"must include okta\.logs\.read"):
        account_from_payload("a", {"org_url": "https://acme.okta.com", "auth_type": "oauth_service_app",
                                   "client_id": "c", "private_key": json.dumps(KEY.private_jwk()),
                                   "scopes": "okta.users.manage"})


def test_not_an_okta_org_and_unreachable():
    with SplunkdStandIn() as splunkd:  # answers HTTP, but not like Okta
        account = account_from_payload("a", {"org_url": splunkd.server_uri, "api_token": "x"})
        with pytest.raises(ConfigError, match="check the org URL"):
            check_connection(account, timeout=5)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    account = account_from_payload("a", {"org_url": f"http://127.0.0.1:{port}", "api_token": "x"})
    expected = r"cannot reach http://127\.0\.0\.1:.*check the org URL, DNS and the proxy"
    with pytest.raises(ConfigError, match=expected):
        check_connection(account, timeout=2)


def test_edit_with_masked_token_uses_the_stored_one(org):
    with SplunkdStandIn() as splunkd:
        splunkd.store_account("corp", org_url=org.base_url, api_token=TOKEN)
        payload = {"org_url": org.base_url, "auth_type": "api_token", "api_token": "******"}
        uri, key = splunkd.server_uri, splunkd.session_key
        account = validate_account_payload(uri, key, "corp", payload, timeout=5)
        assert account.api_token == TOKEN
        with pytest.raises(ConfigError, match="has no API token"):
            validate_account_payload(uri, key, "new", payload, timeout=5)
