"""Compact JWS (JWT) encoding and checking, built by hand on keys.SigningKey (RS256 / ES256)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any, Optional

from okta_ir.errors import InvalidResponseError
from okta_ir.okta.encoding import b64url_decode, b64url_encode, b64url_json
from okta_ir.okta.keys import SigningKey, verify_signature

__all__ = ["decode_unverified", "encode_jwt", "new_jti", "verify_jwt"]


def new_jti() -> str:
    """A unique JWT id (random UUID4, 122 bits)."""
    return uuid.uuid4().hex


def encode_jwt(
    claims: Mapping[str, Any],
    key: SigningKey,
    *,
    typ: str = "JWT",
    kid: Optional[str] = None,
    extra_header: Optional[Mapping[str, Any]] = None,
) -> str:
    """Sign ``claims``; header ``{"alg": key.alg, "typ": typ}`` + ``kid`` when given + ``extra_header``."""
    header: dict[str, Any] = {"alg": key.alg, "typ": typ}
    if kid:
        header["kid"] = kid
    if extra_header:
        header.update(extra_header)
    signing_input = f"{b64url_json(header)}.{b64url_json(dict(claims))}"
    signature = key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of a compact JWS without checking the signature; InvalidResponseError if malformed."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise InvalidResponseError("malformed JWT: expected three dot-separated parts")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        b64url_decode(parts[2])
    except ValueError:
        raise InvalidResponseError("malformed JWT: a part is not base64url JSON") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise InvalidResponseError("malformed JWT: header and claims must be JSON objects")
    return header, claims


def verify_jwt(token: str, public_jwk: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) if the signature verifies with ``public_jwk``; else InvalidResponseError."""
    header, claims = decode_unverified(token)
    signing_input, _, signature = token.rpartition(".")
    alg = header.get("alg")
    if alg not in ("RS256", "ES256"):
        raise InvalidResponseError(f"unsupported JWT alg {alg!r}")
    if not verify_signature(public_jwk, str(alg), signing_input.encode("ascii"), b64url_decode(signature)):
        raise InvalidResponseError("JWT signature does not verify")
    return header, claims
