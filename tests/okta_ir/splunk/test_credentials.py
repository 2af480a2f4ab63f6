"""Accounts and secrets read back the way UCC stores them, against the splunkd stand-in."""

from __future__ import annotations

import pytest
from okta_ir.errors import ConfigError, SplunkdError
from okta_ir.splunk.credentials import (
    AccountConfig,
    credential_realm,
    load_account,
    load_log_level,
    load_proxy_url,
    read_secret,
)
from okta_ir.splunk.rest import SplunkdClient

from tests.support.splunkd import SplunkdStandIn

PEM_LIKE = "-----BEGIN PRIVATE KEY-----\n" + ("A" * 64 + "\n") * 20 + "-----END PRIVATE KEY-----\n"


@pytest.fixture()
def splunkd():
    with SplunkdStandIn() as standin:
        yield standin


def test_api_token_account(splunkd):
    splunkd.store_account("corp", org_url="https://acme.okta.com", api_token="00abcSECRET")
    account = load_account(splunkd.server_uri, splunkd.session_key, "corp")
    assert account == AccountConfig(
        name="corp", org_url="https://acme.okta.com", auth_type="api_token", api_token="00abcSECRET",
        client_id=None, private_key=None, scopes=("okta.logs.read",), dpop=True,
    )
    assert "00abcSECRET" not in repr(account)
    assert splunkd.conf("ta_okta_ir_account", "corp")["api_token"] == "******"


def test_service_app_account_with_a_chunked_private_key(splunkd):
    splunkd.store_account("svc", org_url="https://acme.okta.com", auth_type="oauth_service_app",
                          client_id="0oa123", private_key=PEM_LIKE, scopes="okta.logs.read okta.users.manage",
                          dpop=False)
    chunks = [p for p in splunkd.passwords() if p["username"].startswith("svc``splunk_cred_sep``")]
    assert len(chunks) >= 4  # the JSON is longer than 255 characters: solnlib's chunked layout
    account = load_account(splunkd.server_uri, splunkd.session_key, "svc")
    assert account.private_key == PEM_LIKE.strip()  # surrounding whitespace of pasted keys is dropped
    assert account.client_id == "0oa123"
    assert account.scopes == ("okta.logs.read", "okta.users.manage")
    assert account.dpop is False
    assert PEM_LIKE not in repr(account)


def test_unchunked_legacy_secret_is_read(splunkd):
    realm = credential_realm("ta_okta_ir_account")
    splunkd.set_password(realm, "old", '{"api_token": "tok"}')
    client = SplunkdClient(splunkd.server_uri, splunkd.session_key)
    assert read_secret(client, realm, "old") == '{"api_token": "tok"}'
    assert read_secret(client, realm, "other") is None


def test_missing_account_says_what_to_do(splunkd):
    with pytest.raises(ConfigError, match="Okta account 'ghost' does not exist: add it under Configuration"):
        load_account(splunkd.server_uri, splunkd.session_key, "ghost")


def test_bad_session_key(splunkd):
    splunkd.store_account("corp", org_url="https://acme.okta.com", api_token="t")
    with pytest.raises(SplunkdError) as info:
        load_account(splunkd.server_uri, "not-the-key", "corp")
    assert info.value.status == 401


def test_proxy_and_log_level(splunkd):
    client = SplunkdClient(splunkd.server_uri, splunkd.session_key)
    assert load_proxy_url(client) is None
    assert load_log_level(client) == "INFO"
    splunkd.store_conf_with_secrets(
        "ta_okta_ir_settings", "proxy",
        {"proxy_enabled": "1", "proxy_type": "http", "proxy_url": "proxy.corp", "proxy_port": "3128",
         "proxy_username": "svc", "proxy_password": "p@ss:w"},
        encrypted=["proxy_password"],
    )
    splunkd.set_conf("ta_okta_ir_settings", "logging", loglevel="DEBUG")
    assert load_proxy_url(client) == "http://svc:p%40ss%3Aw@proxy.corp:3128"
    assert load_log_level(client) == "DEBUG"
