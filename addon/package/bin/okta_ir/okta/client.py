"""OktaClient: the one HTTP client for the Okta API (httpx).

It resolves paths against the validated org URL, authenticates each attempt, paces requests within
its share of each rate-limit bucket, retries 429/5xx/transport failures/truncated JSON with bounded
full-jitter backoff, follows ``Link: rel="next"`` only on the org, and raises typed errors.
Not thread-safe: one client per thread.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, TypeVar
from urllib.parse import urlsplit

import httpx

from okta_ir import __version__
from okta_ir.errors import ConfigError, InvalidResponseError, OktaError, OktaTransportError
from okta_ir.okta.auth import Auth, AuthContext
from okta_ir.okta.errormap import api_error, token_error
from okta_ir.okta.links import parse_links
from okta_ir.okta.orgurl import normalize_org_url, require_on_org
from okta_ir.okta.ratelimit import (
    BucketState,
    RateLimiter,
    bucket_for,
    parse_http_date,
    retry_after_seconds,
    server_reset_wait,
)
from okta_ir.okta.retry import RetryBudget, full_jitter_delay

__all__ = ["ClientSettings", "OktaClient", "Page"]

log = logging.getLogger("okta_ir.okta")

T = TypeVar("T")
_Params = Optional[Mapping[str, Any]]

_DNS_HINTS = (
    "name or service not known",
    "nodename nor servname",
    "getaddrinfo",
    "name resolution",
    "no address associated",
    "temporary failure in name",
)


@dataclass(frozen=True)
class ClientSettings:
    """Timeouts, retry bounds, rate-limit share and transport options of an OktaClient."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_retries: int = 6
    max_retry_seconds: float = 300.0
    rate_limit_share: float = 0.5
    proxy: Optional[str] = None
    user_agent: str = f"okta-ir/{__version__}"
    verify: bool = True

    def __post_init__(self) -> None:
        if self.connect_timeout <= 0 or self.read_timeout <= 0:
            raise ConfigError("connect_timeout and read_timeout must be positive numbers of seconds")
        if self.max_retries < 0 or self.max_retry_seconds < 0:
            raise ConfigError("max_retries and max_retry_seconds must not be negative")
        if not 0.0 < self.rate_limit_share <= 1.0:
            raise ConfigError("rate_limit_share must be greater than 0 and at most 1 (e.g. 0.5)")
        if self.proxy is not None:
            _check_proxy(self.proxy)

    def __repr__(self) -> str:  # a proxy URL may carry credentials
        proxy = "<set>" if self.proxy else None
        return (
            f"ClientSettings(connect_timeout={self.connect_timeout}, read_timeout={self.read_timeout}, "
            f"max_retries={self.max_retries}, max_retry_seconds={self.max_retry_seconds}, "
            f"rate_limit_share={self.rate_limit_share}, proxy={proxy}, user_agent={self.user_agent!r}, "
            f"verify={self.verify})"
        )


def _check_proxy(proxy: str) -> None:
    """ConfigError unless ``proxy`` is an http(s)://host[:port] URL (credentials are never echoed)."""
    try:
        parts = urlsplit(proxy.strip())
        usable = parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and parts.port != 0
        scheme = parts.scheme or "none"
    except ValueError:  # a port that is not a number
        usable, scheme = False, "?"
    if not usable:
        raise ConfigError(
            f"proxy URL is not usable (scheme {scheme!r}): use http://host:port or https://host:port, "
            "with user:password@ before the host if the proxy needs it (SOCKS is not supported)"
        )


@dataclass
class Page:
    """One page of a collection: its items and the ``next``/``self`` links (already validated on-org)."""

    items: list[dict[str, Any]]
    next_url: Optional[str]
    self_url: Optional[str]
    status: int
    headers: httpx.Headers = field(repr=False)


def _path_of(url: str) -> str:
    return urlsplit(url).path or "/"


class OktaClient:
    """The Okta API client. Use as a context manager or call ``close()``."""

    def __init__(
        self,
        org_url: str,
        auth: Auth,
        settings: Optional[ClientSettings] = None,
        transport: Optional[httpx.BaseTransport] = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        rng: Optional[random.Random] = None,
    ) -> None:
        self.org_url = normalize_org_url(org_url)
        if not isinstance(auth, Auth):
            raise ConfigError("auth must be an ApiTokenAuth or PrivateKeyJwtAuth")
        self.auth = auth
        self.settings = settings or ClientSettings()
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._limiter = RateLimiter(self.settings.rate_limit_share)
        s = self.settings
        timeout = httpx.Timeout(
            connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout, pool=s.connect_timeout
        )
        self._http = httpx.Client(
            timeout=timeout,
            transport=transport,
            proxy=s.proxy if transport is None else None,
            verify=s.verify,
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": s.user_agent, "Accept": "application/json"},
        )
        self._auth_ctx = AuthContext(
            org_url=self.org_url, post_form=self._post_token_form, clock=self._server_clock
        )

    def _server_clock(self) -> float:
        """Okta's time, estimated from the last response Date (local time before any response)."""
        return self._limiter.server_now(self._clock())

    def __repr__(self) -> str:
        return f"OktaClient(org_url={self.org_url!r}, auth={self.auth!r})"

    def __enter__(self) -> OktaClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    @property
    def rate_limit_state(self) -> dict[str, BucketState]:
        """Per bucket (path template): limit, remaining, reset_at (server epoch), used_in_window."""
        return self._limiter.state()

    # -- public calls ---------------------------------------------------------------------------

    def url_for(self, path_or_url: str) -> str:
        """Absolute URL for a path (``/api/v1/logs``) or an org URL; UnsafeLinkError off the org."""
        if path_or_url.startswith("/"):
            return str(httpx.URL(self.org_url + path_or_url))
        if "://" in path_or_url:
            # canonical form (lower-case host, no default port, percent-encoded path): what goes on the
            # wire, and so what a DPoP proof's htu must say
            return str(httpx.URL(require_on_org(path_or_url, self.org_url)).copy_with(fragment=None))
        raise ConfigError(
            f"API path {path_or_url!r} must start with '/' (e.g. /api/v1/logs) or be an org URL"
        )

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: _Params = None,
        json: Any = None,
        expected: Sequence[int] = (200,),
    ) -> httpx.Response:
        """Send one API request (with retries); return the response if its status is in ``expected``."""
        return self._call(method, path_or_url, params=params, json_body=json, expected=expected, parse=None)[
            0
        ]

    def get_json(self, path_or_url: str, params: _Params = None) -> Any:
        """GET and decode the JSON body (truncated/invalid JSON is retried, then InvalidResponseError)."""
        return self._call(
            "GET", path_or_url, params=params, json_body=None, expected=(200,), parse=_parse_json
        )[1]

    def get_page(self, path_or_url: str, params: _Params = None) -> Page:
        """GET one page of a collection: the body must be a JSON array; ``next`` must be on the org."""
        response, items = self._call(
            "GET", path_or_url, params=params, json_body=None, expected=(200,), parse=_parse_array
        )
        links = parse_links(response.headers.get_list("link"))
        next_url = links.get("next")
        if next_url is not None:
            require_on_org(next_url, self.org_url)
        self_url = links.get("self")
        return Page(
            items=items,
            next_url=next_url,
            self_url=self_url,
            status=response.status_code,
            headers=response.headers,
        )

    def iter_pages(
        self, path: str, params: _Params = None, max_pages: Optional[int] = None
    ) -> Iterator[Page]:
        """Pages from ``path`` following ``next`` until a page has none (bounded queries).

        Also stops when ``next`` repeats the link just followed (a polling cursor that has caught up),
        and after ``max_pages`` pages when given.
        """
        page = self.get_page(path, params)
        yield page
        count, followed = 1, None
        while page.next_url and page.next_url != followed and (max_pages is None or count < max_pages):
            followed = page.next_url
            page = self.get_page(followed)
            count += 1
            yield page

    # -- plumbing -------------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path_or_url: str,
        *,
        params: _Params,
        json_body: Any,
        expected: Sequence[int],
        parse: Optional[Callable[[httpx.Response], T]],
    ) -> tuple[httpx.Response, Any]:
        method = method.upper()
        url = self.url_for(path_or_url)
        path = _path_of(url)
        used_auth_retries: list[str] = []

        def prepare() -> tuple[dict[str, str], Optional[dict[str, str]]]:
            return self.auth.headers(method, url, self._auth_ctx), None

        def on_final(response: httpx.Response) -> Optional[str]:
            self.auth.observe(response)
            if response.status_code == 401:
                reason = self.auth.on_unauthorized(response)
                if reason is not None and reason not in used_auth_retries:
                    used_auth_retries.append(reason)
                    log.debug("%s %s -> 401: retrying once (%s)", method, path, reason)
                    return "again"
            return None

        def error(response: httpx.Response, reset_in: Optional[float]) -> OktaError:
            return api_error(response, method=method, path=path, auth_kind=self.auth.kind, reset_in=reset_in)

        return self._send(
            method,
            url,
            prepare=prepare,
            params=params,
            json_body=json_body,
            expected=tuple(expected),
            parse=parse,
            on_final=on_final,
            error=error,
        )

    def _post_token_form(
        self, url: str, build: Callable[[], tuple[dict[str, str], dict[str, str]]]
    ) -> httpx.Response:
        """POST to the token endpoint with the same retries; returns any non-retryable answer to the Auth.

        ``build()`` is called for every attempt: each carries a fresh client assertion and DPoP proof.
        """
        scopes = getattr(self.auth, "scopes", ())

        def error(response: httpx.Response, reset_in: Optional[float]) -> OktaError:
            return token_error(response, scopes=tuple(scopes))

        response, _ = self._send(
            "POST",
            url,
            prepare=build,
            params=None,
            json_body=None,
            expected=None,
            parse=None,
            on_final=lambda r: None,
            error=error,
        )
        return response

    def _send(
        self,
        method: str,
        url: str,
        *,
        prepare: Callable[[], tuple[dict[str, str], Optional[dict[str, str]]]],
        params: _Params,
        json_body: Any,
        expected: Optional[tuple[int, ...]],
        parse: Optional[Callable[[httpx.Response], Any]],
        on_final: Callable[[httpx.Response], Optional[str]],
        error: Callable[[httpx.Response, Optional[float]], OktaError],
    ) -> tuple[httpx.Response, Any]:
        """The retry loop. ``prepare()`` gives each attempt's (headers, form body).

        ``expected`` None: return every non-retryable answer (token endpoint).
        """
        path = _path_of(url)
        bucket = bucket_for(path)
        budget = RetryBudget(self.settings.max_retries, self.settings.max_retry_seconds, self._clock)
        while True:
            pause = self._limiter.wait_before(bucket, self._clock())
            if pause > 0:
                log.info("rate-limit share used on %s: pausing %.1f s until the window resets", bucket, pause)
                self._sleep(pause)
            headers, form = prepare()
            started = self._clock()
            try:
                response = self._http.request(
                    method, url, params=params, json=json_body, data=form, headers=headers
                )
            except httpx.TransportError as exc:
                delay = full_jitter_delay(budget.retries, self._rng)
                if not budget.allows(delay):
                    raise self._transport_error(exc, method, path, budget.retries + 1) from None
                log.info(
                    "%s %s failed (%s); retry %d in %.1f s",
                    method,
                    path,
                    type(exc).__name__,
                    budget.spend(),
                    delay,
                )
                self._sleep(delay)
                continue
            status = response.status_code
            log.debug("%s %s -> %d (%.2f s)", method, path, status, self._clock() - started)
            self._limiter.observe(bucket, response.headers, self._clock())
            if status == 429:
                wait = self._rate_limit_wait(response, budget.retries)
                if not budget.allows(wait):
                    raise error(response, wait)
                log.info(
                    "%s %s -> 429 (rate limited on %s); retry %d in %.1f s",
                    method,
                    path,
                    bucket,
                    budget.spend(),
                    wait,
                )
                self._sleep(wait)
                continue
            if status >= 500:
                delay = full_jitter_delay(budget.retries, self._rng)
                if not budget.allows(delay):
                    raise error(response, None)
                log.info("%s %s -> %d; retry %d in %.1f s", method, path, status, budget.spend(), delay)
                self._sleep(delay)
                continue
            if on_final(response) is not None:
                continue
            if expected is None:
                return response, None
            if status not in expected:
                if status >= 400:
                    raise error(response, None)
                raise InvalidResponseError(self._unexpected_status(response, method, path, expected))
            if parse is None:
                return response, None
            try:
                return response, parse(response)
            except InvalidResponseError as exc:
                delay = full_jitter_delay(budget.retries, self._rng)
                if not budget.allows(delay):
                    raise InvalidResponseError(
                        f"{exc} on {method} {path} after {budget.retries + 1} attempts: "
                        "Okta or a proxy cut the answer; retry later"
                    ) from None
                log.info("%s %s -> %s; retry %d in %.1f s", method, path, exc, budget.spend(), delay)
                self._sleep(delay)

    def _rate_limit_wait(self, response: httpx.Response, attempt: int) -> float:
        """How long to wait after a 429: Retry-After if given, else Reset vs Date (+1 s), else backoff."""
        server_now = parse_http_date(response.headers.get("date"))
        retry_after = retry_after_seconds(response.headers, server_now)
        if retry_after is not None:
            return retry_after
        reset_wait = server_reset_wait(response.headers)
        if reset_wait is not None and reset_wait > 0:
            return reset_wait + self._limiter.margin
        return max(1.0, full_jitter_delay(attempt, self._rng))

    def _unexpected_status(
        self, response: httpx.Response, method: str, path: str, expected: tuple[int, ...]
    ) -> str:
        if 300 <= response.status_code < 400:
            where = (
                _path_of(response.headers.get("location", "")) if response.headers.get("location") else "?"
            )
            return (
                f"Okta redirected {method} {path} (HTTP {response.status_code} to {where}): "
                "check the org URL (use the Okta org URL, not a custom or admin domain)"
            )
        return (
            f"unexpected HTTP {response.status_code} from Okta on {method} {path} "
            f"(expected {', '.join(str(s) for s in expected)})"
        )

    def _transport_error(
        self, exc: httpx.TransportError, method: str, path: str, attempts: int
    ) -> OktaTransportError:
        s = self.settings
        reason = str(exc) or type(exc).__name__
        tries = f"after {attempts} attempt{'s' if attempts != 1 else ''}"
        if isinstance(exc, httpx.ConnectTimeout):
            text = (
                f"connecting to {self.org_url} timed out ({s.connect_timeout:g} s, {tries}): "
                "check the org URL, the network and the proxy setting"
            )
        elif isinstance(exc, httpx.TimeoutException):
            text = (
                f"Okta did not answer {method} {path} within {s.read_timeout:g} s ({tries}): "
                "retry later, narrow the query, or raise read_timeout"
            )
        elif isinstance(exc, httpx.ConnectError) and any(h in reason.lower() for h in _DNS_HINTS):
            text = (
                f"cannot resolve the host of {self.org_url} ({tries}): check the org URL (DNS lookup failed)"
            )
        elif isinstance(exc, httpx.ConnectError) and (
            "ssl" in reason.lower() or "certificate" in reason.lower()
        ):
            text = (
                f"TLS handshake with {self.org_url} failed ({tries}): check the org URL, the proxy and the "
                "CA certificates"
            )
        elif isinstance(exc, (httpx.ConnectError, httpx.ProxyError)):
            text = (
                f"cannot connect to {self.org_url} ({type(exc).__name__}, {tries}): check the org URL, the "
                "network and the proxy setting"
            )
        else:
            text = (
                f"the connection to {self.org_url} broke during {method} {path} ({type(exc).__name__}, "
                f"{tries}): retry later"
            )
        return OktaTransportError(text)


def _parse_json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        raise InvalidResponseError(f"invalid or truncated JSON ({len(response.content)} bytes)") from None


def _parse_array(response: httpx.Response) -> list[dict[str, Any]]:
    data = _parse_json(response)
    if not isinstance(data, list):
        raise InvalidResponseError(f"expected a JSON array, got a JSON {type(data).__name__}")
    return data
