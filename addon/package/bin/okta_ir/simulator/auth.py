"""Who is calling: SSWS API tokens, and OAuth 2.0 client credentials (private_key_jwt) with optional DPoP.

``Authenticator.authenticate`` checks an API request; ``Authenticator.token`` serves /oauth2/v1/token.
Tokens, assertions and proofs are never put in messages.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

from okta_ir.simulator.jose import JoseError, b64url_encode, decode_jws, jwk_thumbprint, verify_jws
from okta_ir.simulator.responses import oauth_error_body

__all__ = ["ALL_SCOPES", "AuthFailure", "Authenticator", "Principal", "TokenAnswer"]

ALL_SCOPES = frozenset(
    {
        "okta.logs.read",
        "okta.users.manage",
        "okta.users.read",
        "okta.groups.manage",
        "okta.groups.read",
        "okta.networkZones.manage",
        "okta.networkZones.read",
    }
)
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
_MAX_LIFETIME = 3600
_SKEW = 60
_TOKEN_TTL = 3600


@dataclass(frozen=True)
class Principal:
    """An authenticated caller. ``scopes`` is None for API tokens (they carry the admin's full rights)."""

    kind: str  # "ssws" | "oauth"
    subject: str  # token id (00T...) or client id
    scopes: Optional[frozenset[str]] = None

    def allows(self, scope: Optional[str]) -> bool:
        """Whether the caller holds ``scope`` (a ``.manage`` scope also grants ``.read``)."""
        if scope is None or self.scopes is None:
            return True
        if scope in self.scopes:
            return True
        return scope.endswith(".read") and scope[: -len(".read")] + ".manage" in self.scopes


@dataclass(frozen=True)
class AuthFailure:
    """A refused request: status, body and headers to send."""

    status: int
    code: Optional[str]  # Okta error code for an error body, None for an empty/OAuth body
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class TokenAnswer:
    """The token endpoint's answer."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Issued:
    client_id: str
    scopes: frozenset[str]
    jkt: Optional[str]
    expires: float


class _Replay:
    """Seen ``jti`` values with expiry (bounded)."""

    def __init__(self, limit: int = 100_000) -> None:
        self._seen: dict[str, float] = {}
        self._limit = limit

    def first_use(self, key: str, until: float, now: float) -> bool:
        if key in self._seen and self._seen[key] > now:
            return False
        if len(self._seen) >= self._limit:
            self._seen = {k: v for k, v in self._seen.items() if v > now}
        self._seen[key] = until
        return True


def _client_key(spec: Mapping[str, Any]) -> tuple[Mapping[str, Any], frozenset[str]]:
    jwk = spec.get("jwk", spec)
    scopes = frozenset(spec.get("scopes", ALL_SCOPES)) if "jwk" in spec else ALL_SCOPES
    return jwk, scopes


class Authenticator:
    """Authentication and authorization of callers of the simulated org."""

    def __init__(
        self,
        api_tokens: Optional[frozenset[str]],
        oauth_clients: Mapping[str, Any],
        dpop_required: bool,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._tokens = api_tokens
        self._clients = {cid: _client_key(spec) for cid, spec in oauth_clients.items()}
        self.dpop_required = dpop_required
        self._clock = clock
        self._lock = threading.Lock()
        self._issued: dict[str, _Issued] = {}
        self._assertions = _Replay()
        self._proofs = _Replay()
        self._nonces: list[str] = [secrets.token_urlsafe(24)]

    # -- API requests ----------------------------------------------------------------------------------
    def authenticate(
        self, method: str, htu: str, headers: Mapping[str, str]
    ) -> Union[Principal, AuthFailure]:
        """Check the Authorization (and DPoP) headers of an API request."""
        raw = headers.get("authorization", "")
        scheme, _, credential = raw.partition(" ")
        credential = credential.strip()
        scheme_l = scheme.lower()
        if scheme_l == "ssws" and credential:
            if self._tokens is not None and credential not in self._tokens:
                return AuthFailure(401, "E0000011")
            token_id = "00T" + hashlib.sha256(credential.encode()).hexdigest()[:17]
            return Principal("ssws", token_id, None)
        if scheme_l in ("bearer", "dpop") and credential:
            with self._lock:
                issued = self._issued.get(credential)
            if issued is None or issued.expires <= self._clock():
                return AuthFailure(
                    401,
                    "E0000011",
                    {
                        "WWW-Authenticate": f'{scheme} error="invalid_token", '
                        'error_description="The access token is invalid."'
                    },
                )
            if issued.jkt is not None:
                if scheme_l != "dpop":
                    return AuthFailure(
                        401,
                        "E0000011",
                        {
                            "WWW-Authenticate": 'DPoP error="invalid_token", '
                            'error_description="A DPoP-bound token needs the DPoP scheme."'
                        },
                    )
                problem = self._check_proof(
                    headers.get("dpop", ""), method, htu, issued.jkt, credential, False
                )
                if problem:
                    return AuthFailure(
                        401,
                        "E0000011",
                        {
                            "WWW-Authenticate": 'DPoP error="invalid_dpop_proof", '
                            f'error_description="{problem}"'
                        },
                    )
            elif scheme_l == "dpop":
                return AuthFailure(401, "E0000011")
            return Principal("oauth", issued.client_id, issued.scopes)
        return AuthFailure(401, "E0000011")

    # -- token endpoint --------------------------------------------------------------------------------
    def token(self, form: Mapping[str, str], headers: Mapping[str, str], token_url: str) -> TokenAnswer:
        """Serve POST /oauth2/v1/token (client_credentials + private_key_jwt, optional DPoP)."""
        if form.get("grant_type") != "client_credentials":
            return _oauth(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the "
                "authorization server. Configured grant types: [client_credentials].",
            )
        if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
            return _oauth(401, "invalid_client", "No client credentials found.")
        client_id, problem = self._check_assertion(form["client_assertion"], form.get("client_id"), token_url)
        if problem or client_id is None:
            return _oauth(401, "invalid_client", problem or "Client authentication failed.")
        _, allowed = self._clients[client_id]
        requested = frozenset(form.get("scope", "").split())
        if not requested:
            return _oauth(
                400, "invalid_scope", "The authorization server requires a scope for client credentials."
            )
        if not requested <= allowed:
            return _oauth(400, "invalid_scope", "The requested scope is invalid, unknown, or malformed.")
        proof = headers.get("dpop", "")
        jkt: Optional[str] = None
        if proof:
            header_jwk = _proof_jwk(proof)
            if header_jwk is None:
                return _oauth(400, "invalid_dpop_proof", "The DPoP proof JWT is invalid.")
            try:
                jkt = jwk_thumbprint(header_jwk)
            except (JoseError, KeyError):
                return _oauth(400, "invalid_dpop_proof", "The DPoP proof JWT is invalid.")
            problem = self._check_proof(proof, "POST", token_url, jkt, None, True)
            if problem == "nonce":
                with self._lock:
                    nonce = self._nonces[-1]
                return _oauth(
                    400,
                    "use_dpop_nonce",
                    "Authorization server requires nonce in DPoP proof.",
                    {"DPoP-Nonce": nonce},
                )
            if problem:
                return _oauth(400, "invalid_dpop_proof", f"The DPoP proof JWT is invalid: {problem}")
        elif self.dpop_required:
            return _oauth(400, "invalid_dpop_proof", "The DPoP proof JWT header is missing.")
        access = secrets.token_urlsafe(32)
        with self._lock:
            now = self._clock()
            self._issued = (
                {k: v for k, v in self._issued.items() if v.expires > now}
                if len(self._issued) > 10_000
                else self._issued
            )
            self._issued[access] = _Issued(client_id, requested, jkt, now + _TOKEN_TTL)
        body = {
            "token_type": "DPoP" if jkt else "Bearer",
            "expires_in": _TOKEN_TTL,
            "access_token": access,
            "scope": " ".join(sorted(requested)),
        }
        return TokenAnswer(
            200, json.dumps(body).encode(), {"Cache-Control": "no-cache, no-store", "Pragma": "no-cache"}
        )

    def rotate_nonce(self) -> str:
        """Issue a new DPoP nonce (the previous one stays valid)."""
        with self._lock:
            self._nonces = [self._nonces[-1], secrets.token_urlsafe(24)]
            return self._nonces[-1]

    # -- checks ----------------------------------------------------------------------------------------
    def _check_assertion(
        self, assertion: str, form_client: Optional[str], token_url: str
    ) -> tuple[Optional[str], Optional[str]]:
        try:
            header, claims, signing_input, signature = decode_jws(assertion)
        except JoseError as exc:
            return None, f"The client_assertion is malformed: {exc}."
        iss, sub = claims.get("iss"), claims.get("sub")
        if not isinstance(iss, str) or iss != sub:
            return None, "The client_assertion iss and sub claims must both be the client_id."
        if iss not in self._clients:
            return None, "The client_id in the client_assertion is not registered."
        if form_client is not None and form_client != iss:
            return None, "The client_id does not match the client_assertion."
        jwk, _ = self._clients[iss]
        try:
            verify_jws(str(header.get("alg")), jwk, signing_input, signature)
        except JoseError as exc:
            return None, f"The client_assertion {exc}."
        aud = claims.get("aud")
        if aud != token_url and not (isinstance(aud, list) and aud == [token_url]):
            return None, "The audience claim of the client_assertion must be the token endpoint URL."
        now = self._clock()
        exp, iat = claims.get("exp"), claims.get("iat", now)
        if not isinstance(exp, (int, float)) or not isinstance(iat, (int, float)):
            return None, "The client_assertion needs numeric exp (and iat) claims."
        if exp <= now - _SKEW:
            return None, "The client_assertion token is expired."
        if iat > now + _SKEW or exp - min(iat, now) > _MAX_LIFETIME + _SKEW:
            return None, "The client_assertion lifetime must be at most one hour."
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            return None, "The client_assertion must have a jti claim."
        with self._lock:
            fresh = self._assertions.first_use(f"{iss}:{jti}", float(exp) + _SKEW, now)
        if not fresh:
            return None, "The client_assertion token has already been used (jti replay)."
        return iss, None

    def _check_proof(
        self, proof: str, method: str, htu: str, jkt: str, access: Optional[str], need_nonce: bool
    ) -> Optional[str]:
        """None when the DPoP proof is valid; "nonce" when only the nonce is missing/stale; else a reason."""
        if not proof:
            return "DPoP proof missing"
        try:
            header, claims, signing_input, signature = decode_jws(proof)
        except JoseError as exc:
            return str(exc)
        if header.get("typ") != "dpop+jwt":
            return "typ must be dpop+jwt"
        jwk = header.get("jwk")
        if not isinstance(jwk, dict) or "d" in jwk:
            return "header jwk must be a public key"
        try:
            if jwk_thumbprint(jwk) != jkt:
                return "proof key does not match the token binding"
            verify_jws(str(header.get("alg")), jwk, signing_input, signature)
        except (JoseError, KeyError) as exc:
            return str(exc)
        if claims.get("htm") != method:
            return "htm does not match the request method"
        if claims.get("htu") != htu:
            return "htu does not match the request URL"
        now = self._clock()
        iat = claims.get("iat")
        if not isinstance(iat, (int, float)) or abs(now - iat) > 300:
            return "iat is not fresh"
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            return "jti missing"
        if access is not None:
            expected = b64url_encode(hashlib.sha256(access.encode()).digest())
            if claims.get("ath") != expected:
                return "ath does not match the access token"
        if need_nonce:
            with self._lock:
                if claims.get("nonce") not in self._nonces:
                    return "nonce"
        with self._lock:
            if not self._proofs.first_use(f"{jkt}:{jti}", now + 600, now):
                return "jti replayed"
        return None


def _proof_jwk(proof: str) -> Optional[dict[str, Any]]:
    try:
        header, _, _, _ = decode_jws(proof)
    except JoseError:
        return None
    jwk = header.get("jwk")
    return jwk if isinstance(jwk, dict) else None


def _oauth(
    status: int, error: str, description: str, headers: Optional[dict[str, str]] = None
) -> TokenAnswer:
    return TokenAnswer(
        status,
        oauth_error_body(error, description),
        {"Cache-Control": "no-cache, no-store", "Pragma": "no-cache", **(headers or {})},
    )
