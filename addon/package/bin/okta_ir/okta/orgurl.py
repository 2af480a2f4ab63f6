"""Org URL validation: one canonical form of the Okta org base URL, and the on-org check for links."""

from __future__ import annotations

import ipaddress
from urllib.parse import SplitResult, urlsplit

from okta_ir.errors import ConfigError, UnsafeLinkError

__all__ = ["is_loopback_host", "normalize_org_url", "origin_of", "require_on_org"]

_DEFAULT_PORTS = {"https": 443, "http": 80}


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1): the only hosts allowed over http."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _split(url: str, what: str) -> tuple[str, str, int, SplitResult]:
    """Scheme, lower-case host, explicit-or-default port and the SplitResult of ``url``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"{what} {url!r} is not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    return scheme, host, port if port is not None else _DEFAULT_PORTS.get(scheme, -1), parts


def normalize_org_url(url: str) -> str:
    """Return the canonical org URL (``https://acme.okta.com``, no trailing slash).

    Accepts a bare host name (``acme.okta.com``). Plain http is accepted only for loopback hosts
    (the local simulator). Raises ConfigError naming the problem otherwise.
    """
    if not isinstance(url, str) or not url.strip():
        raise ConfigError("org URL is empty: set it to your Okta org, e.g. https://acme.okta.com")
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    scheme, host, port, parts = _split(text, "org URL")
    shown = _redact_userinfo(text)
    if scheme not in ("https", "http"):
        raise ConfigError(f"org URL {shown!r} must use https:// (got {scheme}://)")
    if not host:
        raise ConfigError(f"org URL {shown!r} has no host name: use e.g. https://acme.okta.com")
    if parts.username is not None or parts.password is not None:
        raise ConfigError(
            f"org URL {shown!r} must not contain a user name or password: set credentials elsewhere"
        )
    if scheme == "http" and not is_loopback_host(host):
        raise ConfigError(f"org URL {shown!r} must use https:// (plain http is only allowed for localhost)")
    if parts.path not in ("", "/"):
        raise ConfigError(
            f"org URL {shown!r} must not have a path ({parts.path!r}): use only the base, e.g. https://{host}"
        )
    if parts.query or text.rstrip().endswith("?"):
        raise ConfigError(f"org URL {shown!r} must not have a query string")
    if parts.fragment or "#" in text:
        raise ConfigError(f"org URL {shown!r} must not have a fragment (#...)")
    label = host.split(".", 1)[0]
    if label.endswith("-admin") and (".okta" in host or ".oktapreview" in host):
        fixed = host.replace("-admin.", ".", 1)
        raise ConfigError(f"org URL {shown!r} is the admin console: use the org URL https://{fixed}")
    netloc = f"[{host}]" if ":" in host else host
    if port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    return f"{scheme}://{netloc}"


def origin_of(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an absolute URL, with the default port filled in."""
    scheme, host, port, _ = _split(url, "URL")
    return scheme, host, port


def require_on_org(url: str, org_url: str) -> str:
    """Return ``url`` if it is on the org (same scheme, host and port, no credentials); else UnsafeLinkError.

    The URL is never requested when this raises: a link off the org is treated as an attack (SSRF).
    """
    try:
        scheme, host, port, parts = _split(url, "link")
    except ConfigError as exc:
        raise UnsafeLinkError(f"refused a malformed link from Okta: {exc}") from None
    shown = _redact_userinfo(url).split("?", 1)[0]
    if parts.username is not None or parts.password is not None:
        raise UnsafeLinkError(
            f"refused link {shown!r}: it carries credentials; links must point to {org_url}"
        )
    if (scheme, host, port) != origin_of(org_url):
        raise UnsafeLinkError(
            f"refused link to {scheme}://{host}:{port}: it is off the configured org {org_url} "
            "(possible tampering; nothing was requested)"
        )
    return url


def _redact_userinfo(url: str) -> str:
    """``url`` with any ``user:password@`` part replaced, so it can be shown in a message."""
    scheme_sep = url.find("://")
    start = scheme_sep + 3 if scheme_sep >= 0 else 0
    end = len(url)
    for ch in "/?#":
        pos = url.find(ch, start)
        if pos >= 0:
            end = min(end, pos)
    at = url.rfind("@", start, end)
    if at < 0:
        return url
    return url[:start] + "***@" + url[at + 1 :]
