"""Validation of an Okta account when the admin saves it on the configuration page.

``validate_account_payload`` is what the UCC REST handler (``bin/okta_ir_account_handler.py``) calls:
it checks the fields, fills masked secrets (``******``) from the stored account on edit, and makes one
test call (``GET /api/v1/logs?limit=1``) whose failure is explained in one actionable sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

from okta_ir.errors import (
    ConfigError,
    InvalidResponseError,
    OktaAuthError,
    OktaError,
    OktaIRError,
    OktaNotFoundError,
    OktaPermissionError,
    OktaTransportError,
)
from okta_ir.splunk.credentials import (
    AUTH_API_TOKEN,
    AUTH_OAUTH,
    AccountConfig,
    account_from_splunkd,
    build_auth,
    load_proxy_url,
)
from okta_ir.splunk.rest import SplunkdClient

__all__ = ["account_from_payload", "check_connection", "validate_account_payload"]

_MASKS = ("******", "********")


def _text(payload: Mapping[str, Any], key: str) -> Optional[str]:
    value = payload.get(key)
    text = str(value).strip() if value is not None else ""
    return text or None


def account_from_payload(
    name: str, payload: Mapping[str, Any], stored: Optional[AccountConfig] = None
) -> AccountConfig:
    """The account the form describes; masked secrets are taken from ``stored``. Raises ConfigError."""
    from okta_ir.okta.orgurl import normalize_org_url

    org_url = normalize_org_url(_text(payload, "org_url") or "")
    auth_type = _text(payload, "auth_type") or AUTH_API_TOKEN
    if auth_type not in (AUTH_API_TOKEN, AUTH_OAUTH):
        raise ConfigError(f"authentication type {auth_type!r} is unknown: use API token or OAuth service app")

    def secret(key: str) -> Optional[str]:
        value = _text(payload, key)
        if value in _MASKS:
            return getattr(stored, key, None) if stored is not None else None
        return value

    scopes = tuple((_text(payload, "scopes") or "okta.logs.read").replace(",", " ").split())
    account = AccountConfig(
        name=name,
        org_url=org_url,
        auth_type=auth_type,
        api_token=secret("api_token"),
        client_id=_text(payload, "client_id"),
        private_key=secret("private_key"),
        scopes=scopes,
        dpop=str(payload.get("dpop", "1")).strip().lower() in ("1", "true", "yes", "on"),
    )
    if auth_type == AUTH_OAUTH and "okta.logs.read" not in scopes:
        raise ConfigError("the scopes must include okta.logs.read: the input reads the System Log with it")
    build_auth(account)  # the credential itself is well-formed (token present, key parses)
    return account


def check_connection(account: AccountConfig, *, proxy: Optional[str] = None, timeout: float = 15.0) -> None:
    """One ``GET /api/v1/logs?limit=1`` with the account; ConfigError says exactly what is wrong."""
    from okta_ir.okta.client import ClientSettings, OktaClient

    settings = ClientSettings(
        connect_timeout=timeout, read_timeout=timeout, max_retries=1, max_retry_seconds=timeout, proxy=proxy
    )
    oauth = account.auth_type == AUTH_OAUTH
    try:
        with OktaClient(account.org_url, build_auth(account), settings=settings) as client:
            client.get_page("/api/v1/logs", params={"limit": "1"})
    except OktaAuthError as exc:
        if exc.error_code is None and not oauth:
            raise ConfigError(
                f"{account.org_url} refused the call (HTTP {exc.status}) without an Okta error code: "
                "check the org URL (is it your Okta org?) and the API token"
            ) from None
        if oauth:
            raise ConfigError(
                f"Okta refused the service app's credential ({_code(exc)}): check the client ID, that the "
                "app's public key matches this private key, that the app uses private_key_jwt, and the DPoP "
                "setting"
            ) from None
        raise ConfigError(
            f"Okta refused the API token ({_code(exc)}): it is wrong, revoked or expired; "
            "create a new token (Security > API > Tokens)"
        ) from None
    except OktaPermissionError as exc:
        raise ConfigError(
            f"the credential may not read the System Log ({_code(exc)}): "
            + (
                "grant the okta.logs.read scope to the service app and give it a read-only admin role"
                if oauth
                else "the token's admin needs a role that reads the System Log (e.g. Read-only Administrator)"
            )
        ) from None
    except OktaNotFoundError:
        raise ConfigError(
            f"{account.org_url} has no Okta System Log API (HTTP 404): check the org URL"
        ) from None
    except InvalidResponseError:
        raise ConfigError(f"{account.org_url} did not answer like an Okta org: check the org URL") from None
    except OktaTransportError as exc:
        raise ConfigError(
            f"cannot reach {account.org_url} ({exc}): check the org URL, DNS and the proxy settings"
        ) from None
    except OktaError as exc:
        raise ConfigError(f"Okta refused the test call: {exc}") from None


def _code(exc: OktaError) -> str:
    return f"HTTP {exc.status}" + (f" {exc.error_code}" if exc.error_code else "")


def validate_account_payload(
    server_uri: str, session_key: str, name: str, payload: Mapping[str, Any], *, timeout: float = 15.0
) -> AccountConfig:
    """Validate a create/edit of account ``name``: fields, then the test call. Raises ConfigError."""
    splunkd = SplunkdClient(server_uri, session_key)
    stored: Optional[AccountConfig] = None
    if any(str(payload.get(k, "")).strip() in _MASKS for k in ("api_token", "private_key")):
        try:
            stored = account_from_splunkd(splunkd, name)
        except OktaIRError:
            stored = None
    account = account_from_payload(name, payload, stored)
    check_connection(account, proxy=load_proxy_url(splunkd), timeout=timeout)
    return account
