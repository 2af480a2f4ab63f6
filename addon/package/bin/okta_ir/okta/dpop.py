"""DPoP proofs (RFC 9449): a per-client ephemeral key signs one proof JWT per HTTP request."""

from __future__ import annotations

import hashlib
from typing import Any, Optional
from urllib.parse import urlsplit, urlunsplit

from okta_ir.okta.encoding import b64url_encode
from okta_ir.okta.jwt import encode_jwt, new_jti
from okta_ir.okta.keys import SigningKey, generate_ec_key

__all__ = ["DpopProver", "access_token_hash", "htu_of"]


def htu_of(url: str) -> str:
    """The ``htu`` claim: the request URL without query and fragment."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def access_token_hash(access_token: str) -> str:
    """The ``ath`` claim: base64url SHA-256 of the ASCII access token."""
    return b64url_encode(hashlib.sha256(access_token.encode("ascii")).digest())


class DpopProver:
    """Makes DPoP proof JWTs with one key (ephemeral ES256 by default); the key never leaves the process."""

    def __init__(self, key: Optional[SigningKey] = None) -> None:
        self._key = key if key is not None else generate_ec_key()

    @property
    def public_jwk(self) -> dict[str, str]:
        """The public JWK placed in every proof header."""
        return self._key.public_jwk()

    @property
    def thumbprint(self) -> str:
        """RFC 7638 thumbprint of the key (what a DPoP-bound token's ``cnf.jkt`` holds)."""
        return self._key.thumbprint()

    def proof(
        self,
        method: str,
        url: str,
        *,
        now: float,
        nonce: Optional[str] = None,
        access_token: Optional[str] = None,
    ) -> str:
        """A proof: ``htm``, ``htu``, ``iat``, ``jti`` [+ ``nonce``] [+ ``ath`` on API calls]."""
        claims: dict[str, Any] = {
            "htm": method.upper(),
            "htu": htu_of(url),
            "iat": int(now),
            "jti": new_jti(),
        }
        if nonce:
            claims["nonce"] = nonce
        if access_token is not None:
            claims["ath"] = access_token_hash(access_token)
        return encode_jwt(claims, self._key, typ="dpop+jwt", extra_header={"jwk": self._key.public_jwk()})

    def __repr__(self) -> str:
        return f"DpopProver(alg={self._key.alg!r}, jkt={self.thumbprint!r})"
