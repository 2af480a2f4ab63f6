"""Just enough JOSE to verify what clients send: compact JWS decode, RS256/ES256 verify, RFC 7638 thumbprints.

Verification only (public keys), with ``rsa`` and ``ecdsa``; no signing happens in the simulator.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import ecdsa
import rsa
from ecdsa.util import sigdecode_string

__all__ = ["JoseError", "b64url_decode", "b64url_encode", "decode_jws", "jwk_thumbprint", "verify_jws"]


class JoseError(ValueError):
    """A JWT that does not decode or verify (message safe to show: never contains the token)."""


def b64url_decode(text: str) -> bytes:
    """Base64url without padding -> bytes."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise JoseError("not base64url") from None


def b64url_encode(data: bytes) -> str:
    """Bytes -> base64url without padding."""
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def decode_jws(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """Split a compact JWS into (header, claims, signing input, signature) without verifying."""
    parts = token.split(".")
    if len(parts) != 3:
        raise JoseError("not a compact JWT (three dot-separated parts)")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
    except ValueError:
        raise JoseError("JWT header or claims are not JSON") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise JoseError("JWT header and claims must be JSON objects")
    return header, claims, f"{parts[0]}.{parts[1]}".encode(), b64url_decode(parts[2])


def _int(value: str) -> int:
    return int.from_bytes(b64url_decode(value), "big")


def verify_jws(alg: str, jwk: Mapping[str, Any], signing_input: bytes, signature: bytes) -> None:
    """Check ``signature`` over ``signing_input`` with the public ``jwk``; raises JoseError when invalid."""
    kty = jwk.get("kty")
    if alg == "RS256" and kty == "RSA":
        try:
            key = rsa.PublicKey(_int(str(jwk["n"])), _int(str(jwk["e"])))
            method = rsa.verify(signing_input, signature, key)
        except (KeyError, rsa.VerificationError, ValueError):
            raise JoseError("signature does not verify") from None
        if method != "SHA-256":
            raise JoseError("RS256 signature must use SHA-256")
        return
    if alg == "ES256" and kty == "EC" and jwk.get("crv") == "P-256":
        try:
            point = b64url_decode(str(jwk["x"])).rjust(32, b"\0") + b64url_decode(str(jwk["y"])).rjust(
                32, b"\0"
            )
            vk = ecdsa.VerifyingKey.from_string(point, curve=ecdsa.NIST256p, hashfunc=hashlib.sha256)
            ok = vk.verify(signature, signing_input, hashfunc=hashlib.sha256, sigdecode=sigdecode_string)
        except (KeyError, ecdsa.BadSignatureError, ecdsa.MalformedPointError, ValueError, AssertionError):
            raise JoseError("signature does not verify") from None
        if not ok:
            raise JoseError("signature does not verify")
        return
    raise JoseError(f"unsupported alg {alg!r} for key type {kty!r} (use RS256 with RSA or ES256 with P-256)")


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 SHA-256 thumbprint (base64url) of a public RSA or EC JWK."""
    kty = jwk.get("kty")
    if kty == "RSA":
        members = {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}
    elif kty == "EC":
        members = {"crv": jwk["crv"], "kty": "EC", "x": jwk["x"], "y": jwk["y"]}
    else:
        raise JoseError(f"unsupported key type {kty!r}")
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    return b64url_encode(hashlib.sha256(canonical).digest())
