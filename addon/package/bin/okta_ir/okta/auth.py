"""Credentials for the Okta API: an API token (SSWS) or an OAuth 2.0 service app (private_key_jwt, DPoP).

The client asks an Auth for the headers of each attempt and tells it about 401 answers; the OAuth
flavour fetches and caches its access token through the client's own HTTP plumbing (AuthContext).
No secret (token, private key, client assertion, DPoP proof) ever reaches a repr, a log or a message.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Callable, Optional, Union

import httpx

from okta_ir.errors import ConfigError, InvalidResponseError
from okta_ir.okta.dpop import DpopProver
from okta_ir.okta.errormap import parse_error_body, parse_www_authenticate, token_error
from okta_ir.okta.jwt import encode_jwt, new_jti
from okta_ir.okta.keys import SigningKey, load_private_key

__all__ = [
    "ApiTokenAuth",
    "Auth",
    "AuthContext",
    "PrivateKeyJwtAuth",
    "load_private_key",
]

log = logging.getLogger("okta_ir.okta")

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME = 300  # seconds; Okta allows at most 1 h
TOKEN_REFRESH_MARGIN = 60.0  # seconds before expiry when a cached token is replaced
CLOCK_SKEW_RETRY = 30.0  # seconds of clock error that justify one token retry on the server's time
_SCOPE_SEPARATORS = re.compile(r"[\s,|]+")  # UCC multi-selects store "a|b"; people type "a, b"
_CLOCK_SENSITIVE = ("invalid_client", "invalid_dpop_proof", "invalid_grant")

# Retry reasons an Auth may return from on_unauthorized; the client allows each once per request.
RETRY_WITH_NONCE = "nonce"
RETRY_WITH_NEW_TOKEN = "refresh"


@dataclass(frozen=True)
class AuthContext:
    """What an Auth needs from its client: the org, a way to POST to the token endpoint, the clock.

    ``clock`` is the server's clock as estimated from response ``Date`` headers (the local clock until
    one is seen), so assertion and proof times survive a skewed local clock.
    """

    org_url: str
    # post_form(url, build): ``build()`` returns fresh (headers, form) for each attempt, so a retried
    # token request never replays a client assertion or DPoP proof (their jti must be unique).
    post_form: Callable[[str, Callable[[], tuple[dict[str, str], dict[str, str]]]], httpx.Response]
    clock: Callable[[], float]


class Auth:
    """Base of the credential kinds. ``kind`` is "api_token" or "oauth" (used to word error messages)."""

    kind = ""

    def headers(self, method: str, url: str, ctx: AuthContext) -> dict[str, str]:
        """Authorization headers for one attempt of ``method url``."""
        raise NotImplementedError

    def observe(self, response: httpx.Response) -> None:
        """Learn from an API response (e.g. a new DPoP nonce). Default: nothing."""

    def on_unauthorized(self, response: httpx.Response) -> Optional[str]:
        """After an API 401: a retry reason (``"nonce"``, ``"refresh"``) or None to give up."""
        return None


def _check_header_safe(value: str, what: str) -> str:
    if not value or any(ord(c) < 0x21 or ord(c) > 0x7E for c in value):
        raise ConfigError(
            f"the {what} is empty or contains spaces/control/non-ASCII characters: paste it again"
        )
    return value


class ApiTokenAuth(Auth):
    """``Authorization: SSWS <token>``."""

    kind = "api_token"

    def __init__(self, token: str) -> None:
        text = (token or "").strip() if isinstance(token, str) else ""
        if text[:5].upper() == "SSWS ":
            text = text[5:].strip()
        self._token = _check_header_safe(text, "API token")

    def headers(self, method: str, url: str, ctx: AuthContext) -> dict[str, str]:
        return {"Authorization": f"SSWS {self._token}"}

    def __repr__(self) -> str:
        return "ApiTokenAuth(token=<redacted>)"


@dataclass(frozen=True)
class _Token:
    value: str
    token_type: str
    refresh_at: float


class PrivateKeyJwtAuth(Auth):
    """OAuth 2.0 client_credentials with a private_key_jwt client assertion, optionally DPoP-bound.

    ``private_key`` is a SigningKey or a path/PEM/JWK text for load_private_key. The DPoP key is an
    ephemeral P-256 key made here. Access tokens are cached until 60 s before ``expires_in``.
    """

    kind = "oauth"

    def __init__(
        self,
        client_id: str,
        private_key: Union[SigningKey, str],
        scopes: Union[Sequence[str], str],
        dpop: bool = True,
        key_id: Optional[str] = None,
    ) -> None:
        self.client_id = _check_header_safe((client_id or "").strip(), "OAuth client id")
        self._key = private_key if isinstance(private_key, SigningKey) else load_private_key(private_key)
        pieces = [scopes] if isinstance(scopes, str) else [str(s) for s in scopes]
        scope_list = [scope for piece in pieces for scope in _SCOPE_SEPARATORS.split(piece)]
        self.scopes: tuple[str, ...] = tuple(dict.fromkeys(s for s in scope_list if s))
        if not self.scopes:
            raise ConfigError("no OAuth scopes configured: request at least okta.logs.read")
        self.dpop = bool(dpop)
        self.key_id = key_id or self._key.kid
        self._prover: Optional[DpopProver] = DpopProver() if self.dpop else None
        self._token: Optional[_Token] = None
        self._token_nonce: Optional[str] = None
        self._api_nonce: Optional[str] = None
        self._served_from_cache = False

    def __repr__(self) -> str:
        return (
            f"PrivateKeyJwtAuth(client_id={self.client_id!r}, scopes={list(self.scopes)!r}, "
            f"dpop={self.dpop!r}, key_id={self.key_id!r}, alg={self._key.alg!r})"
        )

    @property
    def dpop_thumbprint(self) -> Optional[str]:
        """RFC 7638 thumbprint of the ephemeral DPoP key (None without DPoP)."""
        return self._prover.thumbprint if self._prover else None

    @staticmethod
    def token_url(org_url: str) -> str:
        """The org authorization server's token endpoint."""
        return f"{org_url}/oauth2/v1/token"

    def client_assertion(self, token_url: str, now: float) -> str:
        """A fresh signed client assertion: iss=sub=client_id, aud=token URL, iat, exp=iat+300, unique jti."""
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": token_url,
            "iat": int(now),
            "exp": int(now) + ASSERTION_LIFETIME,
            "jti": new_jti(),
        }
        return encode_jwt(claims, self._key, kid=self.key_id)

    def invalidate(self) -> None:
        """Forget the cached access token (the next call fetches a new one)."""
        self._token = None

    def access_token(self, ctx: AuthContext) -> tuple[str, str]:
        """(token, token_type), from the cache or the token endpoint."""
        token = self._token
        self._served_from_cache = token is not None and ctx.clock() < token.refresh_at
        if token is None or not self._served_from_cache:
            token = self._fetch_token(ctx)
            self._token = token
        return token.value, token.token_type

    def _fetch_token(self, ctx: AuthContext) -> _Token:
        url = self.token_url(ctx.org_url)

        built_at: list[float] = []

        def build() -> tuple[dict[str, str], dict[str, str]]:
            now = ctx.clock()
            built_at.append(now)
            form = {
                "grant_type": "client_credentials",
                "scope": " ".join(self.scopes),
                "client_assertion_type": CLIENT_ASSERTION_TYPE,
                "client_assertion": self.client_assertion(url, now),
            }
            headers = {"Accept": "application/json"}
            if self._prover is not None:
                headers["DPoP"] = self._prover.proof("POST", url, now=now, nonce=self._token_nonce)
            return headers, form

        retried: list[str] = []
        while True:
            built_at.clear()
            response = ctx.post_form(url, build)
            nonce = response.headers.get("dpop-nonce")
            if nonce:
                self._token_nonce = nonce
            if response.status_code == 200:
                return self._parse_token(response, ctx.clock())
            code = parse_error_body(response).code
            if code == "use_dpop_nonce" and self._prover is not None and nonce and "nonce" not in retried:
                log.debug("token endpoint asked for a DPoP nonce; retrying once with it")
                retried.append("nonce")
                continue
            skew = abs(ctx.clock() - built_at[-1]) if built_at else 0.0
            if code in _CLOCK_SENSITIVE and skew > CLOCK_SKEW_RETRY and "clock" not in retried:
                # The answer's Date showed our clock was off when the assertion/proof were made:
                # the client's clock now follows the server's, so one retry can succeed.
                log.info(
                    "this machine's clock is %.0f s off Okta's; retrying the token request on Okta's time",
                    skew,
                )
                retried.append("clock")
                continue
            raise token_error(response, scopes=self.scopes, dpop=self._prover is not None)

    def _parse_token(self, response: httpx.Response, now: float) -> _Token:
        try:
            data = json.loads(response.content)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise InvalidResponseError(
                "the token endpoint answered 200 without a JSON object: check the org URL"
            )
        value, token_type, expires_in = (
            data.get("access_token"),
            data.get("token_type"),
            data.get("expires_in", 3600),
        )
        if not isinstance(value, str) or not value or not isinstance(token_type, str):
            raise InvalidResponseError(
                "the token endpoint answered without access_token/token_type: check the org URL"
            )
        try:
            lifetime = float(expires_in)
        except (TypeError, ValueError):
            raise InvalidResponseError("the token endpoint answered a non-numeric expires_in") from None
        if any(ord(c) < 0x21 or ord(c) > 0x7E for c in value):
            raise InvalidResponseError("the token endpoint answered an access token with invalid characters")
        if token_type.lower() == "dpop" and self._prover is None:
            raise InvalidResponseError("Okta issued a DPoP-bound token although DPoP is off: enable DPoP")
        refresh_at = now + max(lifetime - TOKEN_REFRESH_MARGIN, lifetime / 2.0)
        log.debug("obtained an OAuth access token (type %s, expires in %.0f s)", token_type, lifetime)
        return _Token(value, token_type, refresh_at)

    def headers(self, method: str, url: str, ctx: AuthContext) -> dict[str, str]:
        value, token_type = self.access_token(ctx)
        if token_type.lower() == "dpop" and self._prover is not None:
            proof = self._prover.proof(
                method, url, now=ctx.clock(), nonce=self._api_nonce, access_token=value
            )
            return {"Authorization": f"DPoP {value}", "DPoP": proof}
        return {"Authorization": f"Bearer {value}"}

    def observe(self, response: httpx.Response) -> None:
        nonce = response.headers.get("dpop-nonce")
        if nonce and self._prover is not None:
            self._api_nonce = nonce

    def on_unauthorized(self, response: httpx.Response) -> Optional[str]:
        for value in response.headers.get_list("www-authenticate"):
            _scheme, params = parse_www_authenticate(value)
            if params.get("error") == "use_dpop_nonce" and self._prover is not None:
                nonce = response.headers.get("dpop-nonce")
                if nonce:
                    self._api_nonce = nonce
                    return RETRY_WITH_NONCE
        cached = self._token is not None and self._served_from_cache
        self.invalidate()
        return RETRY_WITH_NEW_TOKEN if cached else None
