"""Okta org accounts as the add-on's configuration page (UCC) stores them, read back over splunkd REST.

UCC keeps an account's plain fields in ``ta_okta_ir_account.conf`` (secrets replaced by ``******``) and its
encrypted fields as ONE JSON object in storage/passwords: realm
``__REST_CREDENTIAL__#TA-okta-ir#configs/conf-ta_okta_ir_account``, user = the account name. solnlib splits
passwords longer than 255 characters into ``<user>``splunk_cred_sep``<n>`` chunks closed by an end mark;
``read_secret`` reassembles both layouts. The proxy is the ``proxy`` stanza of ``ta_okta_ir_settings.conf``.

Use from an input or an alert action::

    account = load_account(server_uri, session_key, "corp")
    proxy = load_proxy_url(SplunkdClient(server_uri, session_key))
    client = OktaClient(account.org_url, build_auth(account), settings=ClientSettings(proxy=proxy))
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import quote

from okta_ir.errors import ConfigError, SplunkdError
from okta_ir.splunk.rest import SplunkdClient

__all__ = [
    "ACCOUNT_CONF",
    "APP_NAME",
    "SETTINGS_CONF",
    "AccountConfig",
    "build_auth",
    "credential_realm",
    "load_account",
    "load_log_level",
    "load_proxy_url",
    "read_conf_stanza",
    "read_secret",
]

APP_NAME = "TA-okta-ir"
ACCOUNT_CONF = "ta_okta_ir_account"
SETTINGS_CONF = "ta_okta_ir_settings"
AUTH_API_TOKEN = "api_token"
AUTH_OAUTH = "oauth_service_app"
CRED_SEP = "``splunk_cred_sep``"
CRED_END_MARK = "".join(CRED_SEP + c for c in "SPLUNK") + CRED_SEP
_PLACEHOLDERS = ("******", "********")
_TRUE = ("1", "true", "yes", "t", "y", "on")


@dataclass(frozen=True)
class AccountConfig:
    """One configured Okta org. Secrets are excluded from repr."""

    name: str
    org_url: str
    auth_type: str
    api_token: Optional[str] = field(default=None, repr=False)
    client_id: Optional[str] = None
    private_key: Optional[str] = field(default=None, repr=False)
    scopes: tuple[str, ...] = ("okta.logs.read",)
    dpop: bool = True


def credential_realm(conf: str, app: str = APP_NAME) -> str:
    """The storage/passwords realm UCC uses for the encrypted fields of ``conf``."""
    return f"__REST_CREDENTIAL__#{app}#configs/conf-{conf}"


def read_conf_stanza(client: SplunkdClient, conf: str, stanza: str) -> Optional[dict[str, Any]]:
    """The fields of ``[stanza]`` in ``<conf>.conf`` (app context), or None when the stanza does not exist."""
    path = client.ns_path(f"configs/conf-{quote(conf, safe='')}/{quote(stanza, safe='')}")
    status, body = client.request("GET", path)
    if status == 404:
        return None
    if status != 200 or not isinstance(body, dict) or not body.get("entry"):
        raise SplunkdError(f"splunkd refused to read [{stanza}] in {conf}.conf: HTTP {status}", status=status)
    content = body["entry"][0].get("content") or {}
    return {k: v for k, v in content.items() if not k.startswith("eai:")}


def read_secret(client: SplunkdClient, realm: str, username: str) -> Optional[str]:
    """The clear password of ``realm``/``username`` (chunked or not), or None when it is not stored."""
    body = client.call(
        "GET",
        client.ns_path("storage/passwords"),
        params={"count": "-1", "search": f"realm={realm}"},
        what="read storage/passwords",
    )
    chunks: dict[int, str] = {}
    whole: Optional[str] = None
    pattern = re.compile(re.escape(username + CRED_SEP) + r"(\d+)$")
    for entry in (body or {}).get("entry", []):
        content = entry.get("content") or {}
        if content.get("realm") != realm:
            continue
        user = str(content.get("username", ""))
        clear = content.get("clear_password")
        if not isinstance(clear, str):
            continue
        match = pattern.match(user)
        if match:
            chunks[int(match.group(1))] = clear
        elif user == username:
            whole = clear
    if chunks:
        parts: list[str] = []
        for index in sorted(chunks):
            if chunks[index] == CRED_END_MARK:
                break
            parts.append(chunks[index])
        return "".join(parts)
    return whole


def _encrypted_fields(client: SplunkdClient, conf: str, stanza: str) -> dict[str, Any]:
    secret = read_secret(client, credential_realm(conf, client.app), stanza)
    if secret is None:
        return {}
    try:
        data = json.loads(secret)
    except ValueError:
        raise ConfigError(
            f"the stored secrets of [{stanza}] in {conf}.conf are not JSON: "
            "re-enter them in the add-on's Configuration page"
        ) from None
    return data if isinstance(data, dict) else {}


def _clean(value: Any) -> Optional[str]:
    if value is None:
        return None
    text = str(value).strip()
    return None if not text or text in _PLACEHOLDERS else text


def load_account(
    server_uri: str, session_key: str, account_name: str, *, app: str = APP_NAME, timeout: float = 15.0
) -> AccountConfig:
    """Read the account ``account_name`` with its decrypted secrets. Raises ConfigError saying what to fix."""
    client = SplunkdClient(server_uri, session_key, app=app, timeout=timeout)
    return account_from_splunkd(client, account_name)


def account_from_splunkd(client: SplunkdClient, account_name: str) -> AccountConfig:
    """``load_account`` with an existing client."""
    if not account_name:
        raise ConfigError("no Okta account is selected: pick one in the input's settings")
    stanza = read_conf_stanza(client, ACCOUNT_CONF, account_name)
    if stanza is None:
        raise ConfigError(
            f"Okta account {account_name!r} does not exist: "
            "add it under Configuration > Okta orgs, or pick another"
        )
    secrets = _encrypted_fields(client, ACCOUNT_CONF, account_name)
    stanza.update({k: v for k, v in secrets.items() if _clean(v)})
    org_url = _clean(stanza.get("org_url"))
    if not org_url:
        raise ConfigError(
            f"Okta account {account_name!r} has no org URL: edit it under Configuration > Okta orgs"
        )
    auth_type = _clean(stanza.get("auth_type")) or AUTH_API_TOKEN
    if auth_type not in (AUTH_API_TOKEN, AUTH_OAUTH):
        raise ConfigError(f"Okta account {account_name!r} has an unknown authentication type {auth_type!r}")
    scopes = tuple((_clean(stanza.get("scopes")) or "okta.logs.read").replace(",", " ").split())
    return AccountConfig(
        name=account_name,
        org_url=org_url,
        auth_type=auth_type,
        api_token=_clean(stanza.get("api_token")),
        client_id=_clean(stanza.get("client_id")),
        private_key=_clean(stanza.get("private_key")),
        scopes=scopes,
        dpop=str(stanza.get("dpop", "1")).strip().lower() in _TRUE,
    )


def build_auth(account: AccountConfig) -> Any:
    """The Okta client's auth for ``account``: ApiTokenAuth, or PrivateKeyJwtAuth (+DPoP) for service apps."""
    from okta_ir.okta import auth

    if account.auth_type == AUTH_API_TOKEN:
        if not account.api_token:
            raise ConfigError(
                f"Okta account {account.name!r} has no API token: enter it under Configuration > Okta orgs"
            )
        return auth.ApiTokenAuth(account.api_token)
    if not account.client_id or not account.private_key:
        raise ConfigError(
            f"Okta account {account.name!r} is an OAuth service app but lacks its client ID or private key: "
            "enter both under Configuration > Okta orgs"
        )
    return auth.PrivateKeyJwtAuth(
        account.client_id, account.private_key, list(account.scopes), dpop=account.dpop
    )


def load_proxy_url(client: SplunkdClient) -> Optional[str]:
    """The proxy URL configured on the Proxy tab (``http://user:pass@host:port``), or None when disabled."""
    stanza = read_conf_stanza(client, SETTINGS_CONF, "proxy") or {}
    if str(stanza.get("proxy_enabled", "0")).strip().lower() not in _TRUE:
        return None
    host = _clean(stanza.get("proxy_url"))
    if not host:
        raise ConfigError("the proxy is enabled but has no host: set it under Configuration > Proxy")
    port = _clean(stanza.get("proxy_port"))
    scheme = _clean(stanza.get("proxy_type")) or "http"
    if scheme not in ("http", "https", "socks5", "socks4"):
        raise ConfigError(f"proxy type {scheme!r} is not supported: use http")
    secrets = _encrypted_fields(client, SETTINGS_CONF, "proxy")
    user = _clean(stanza.get("proxy_username"))
    password = _clean(secrets.get("proxy_password")) or _clean(stanza.get("proxy_password"))
    auth = ""
    if user:
        auth = quote(user, safe="") + (":" + quote(password, safe="") if password else "") + "@"
    return f"{scheme}://{auth}{host}" + (f":{port}" if port else "")


def load_log_level(client: SplunkdClient, default: str = "INFO") -> str:
    """The log level set on the Logging tab (``[logging] loglevel``)."""
    stanza = read_conf_stanza(client, SETTINGS_CONF, "logging") or {}
    level = str(stanza.get("loglevel") or default).upper()
    return level if level in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL") else default
