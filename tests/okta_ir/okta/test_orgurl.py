"""normalize_org_url and the on-org check that guards every absolute URL the client requests."""

from __future__ import annotations

import pytest
from okta_ir.errors import ConfigError, UnsafeLinkError
from okta_ir.okta.orgurl import is_loopback_host, normalize_org_url, require_on_org


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://acme.okta.com", "https://acme.okta.com"),
        ("https://acme.okta.com/", "https://acme.okta.com"),
        ("  https://ACME.Okta.com/  ", "https://acme.okta.com"),
        ("acme.okta.com", "https://acme.okta.com"),
        ("HTTPS://acme.oktapreview.com", "https://acme.oktapreview.com"),
        ("https://acme.okta.com:443", "https://acme.okta.com"),
        ("https://acme.okta.com:8443/", "https://acme.okta.com:8443"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://127.10.0.1:8080/", "http://127.10.0.1:8080"),
        ("http://localhost:9000", "http://localhost:9000"),
        ("http://[::1]:9000", "http://[::1]:9000"),
        ("https://[::1]:9000", "https://[::1]:9000"),
        ("http://localhost:80", "http://localhost"),
        ("https://login.example.com", "https://login.example.com"),
    ],
)
def test_accepted_org_urls_are_normalized(given: str, expected: str) -> None:
    assert normalize_org_url(given) == expected


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ("", "org URL is empty"),
        ("   ", "org URL is empty"),
        ("http://acme.okta.com", "must use https:// (plain http is only allowed for localhost)"),
        ("http://10.0.0.5:8080", "plain http is only allowed for localhost"),
        ("ftp://acme.okta.com", "must use https:// (got ftp://)"),
        ("https://", "has no host name"),
        ("https://admin:pw@acme.okta.com", "must not contain a user name or password"),
        ("https://tok@acme.okta.com", "must not contain a user name or password"),
        ("https://acme.okta.com/api/v1", "must not have a path ('/api/v1')"),
        ("https://acme.okta.com/oauth2/default", "must not have a path"),
        ("https://acme.okta.com?x=1", "must not have a query string"),
        ("https://acme.okta.com/?", "must not have a query string"),
        ("https://acme.okta.com#frag", "must not have a fragment"),
        ("https://acme.okta.com:99999", "is not a valid URL"),
        ("https://acme-admin.okta.com", "is the admin console: use the org URL https://acme.okta.com"),
    ],
)
def test_rejected_org_urls_name_the_problem(given: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        normalize_org_url(given)
    message = str(caught.value)
    assert problem in message
    assert "\n" not in message
    assert "pw@" not in message  # a password in the URL is never echoed


def test_loopback_hosts() -> None:
    assert [is_loopback_host(h) for h in ("localhost", "127.0.0.1", "127.255.0.9", "::1", "[::1]")] == [
        True
    ] * 5
    assert [is_loopback_host(h) for h in ("10.0.0.1", "acme.okta.com", "localhost.evil.com", "::2")] == [
        False
    ] * 4


@pytest.mark.parametrize(
    "link",
    [
        "https://acme.okta.com/api/v1/logs?after=abc",
        "https://ACME.okta.com:443/api/v1/logs?after=abc",
    ],
)
def test_on_org_links_pass(link: str) -> None:
    assert require_on_org(link, "https://acme.okta.com") == link


@pytest.mark.parametrize(
    ("link", "problem"),
    [
        ("https://evil.example.com/api/v1/logs?after=x", "off the configured org https://acme.okta.com"),
        ("http://acme.okta.com/api/v1/logs", "refused link to http://acme.okta.com:80"),
        ("https://acme.okta.com:8443/api/v1/logs", "refused link to https://acme.okta.com:8443"),
        ("https://acme.okta.com.evil.com/api/v1/logs", "acme.okta.com.evil.com"),
        ("https://user:secret@acme.okta.com/api/v1/logs", "it carries credentials"),
        ("https://acme.okta.com:bad/x", "malformed link"),
    ],
)
def test_off_org_links_are_refused(link: str, problem: str) -> None:
    with pytest.raises(UnsafeLinkError) as caught:
        require_on_org(link, "https://acme.okta.com")
    assert problem in str(caught.value)
    assert "secret" not in str(caught.value)
