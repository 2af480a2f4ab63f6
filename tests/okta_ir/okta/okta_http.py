"""Helpers for the Okta client tests: fake clock, cassette replay, keys, JWS checks via ``cryptography``.

``cryptography`` (a dev dependency) is used only here: a self-consistent but wrong signer fails.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Optional

import httpx
import yaml
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

REFERENCE = Path(__file__).resolve().parents[3].parent / "shared" / "okta-reference"
CASSETTES = REFERENCE / "cassettes"
ORG = "https://acme.okta.com"
HTTP_DATE_EPOCH = 1_757_607_710  # Thu, 11 Sep 2025 16:21:50 GMT


class FakeClock:
    """A clock that only moves when the code under test sleeps (or the test advances it)."""

    def __init__(self, start: float = 1_757_607_710.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, seconds
        self.sleeps.append(seconds)
        self.now += seconds


def http_date(epoch: float) -> str:
    """RFC 7231 date (whole seconds, floored like a server's Date header)."""
    from email.utils import formatdate

    return formatdate(int(epoch), usegmt=True)


def load_cassette(name: str) -> list[dict[str, Any]]:
    """The interactions of a recorded VCR cassette."""
    with (CASSETTES / name).open(encoding="utf-8") as handle:
        return list(yaml.safe_load(handle)["interactions"])


def cassette_response(
    interaction: dict[str, Any], drop: Sequence[str] = ("content-encoding", "transfer-encoding")
) -> httpx.Response:
    """An httpx.Response rebuilt from a recorded interaction (list-valued headers become repeated lines)."""
    recorded = interaction["response"]
    headers: list[tuple[str, str]] = []
    for name, value in recorded["headers"].items():
        if name.lower() in drop:
            continue
        for item in value if isinstance(value, list) else [value]:
            headers.append((name, str(item)))
    body = recorded["body"]["string"]
    return httpx.Response(recorded["status"]["code"], headers=headers, content=body.encode("utf-8"))


def recorder(
    handler: Callable[[httpx.Request], httpx.Response],
) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A MockTransport around ``handler`` that also keeps every request it saw."""
    seen: list[httpx.Request] = []

    def wrapped(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return handler(request)

    return httpx.MockTransport(wrapped), seen


# -- keys made by cryptography ---------------------------------------------------------------------


def new_rsa(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def new_ec(curve: ec.EllipticCurve | None = None) -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(curve or ec.SECP256R1())


def pem(key: Any, fmt: str) -> str:
    formats = {
        "pkcs1": serialization.PrivateFormat.TraditionalOpenSSL,
        "sec1": serialization.PrivateFormat.TraditionalOpenSSL,
        "pkcs8": serialization.PrivateFormat.PKCS8,
    }
    return key.private_bytes(serialization.Encoding.PEM, formats[fmt], serialization.NoEncryption()).decode()


def _b64u(data: bytes) -> bytes:
    return base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))


def _int(value: str) -> int:
    return int.from_bytes(_b64u(value.encode()), "big")


def public_from_jwk(jwk: dict[str, str]) -> Any:
    """A cryptography public key from a public JWK (independent of the code under test)."""
    if jwk["kty"] == "RSA":
        return rsa.RSAPublicNumbers(_int(jwk["e"]), _int(jwk["n"])).public_key()
    assert jwk["kty"] == "EC" and jwk["crv"] == "P-256"
    return ec.EllipticCurvePublicNumbers(_int(jwk["x"]), _int(jwk["y"]), ec.SECP256R1()).public_key()


def verify_jws(token: str, public_key: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) after checking the signature with ``cryptography``; AssertionError if it fails."""
    head, body, sig = token.split(".")
    header, claims = json.loads(_b64u(head.encode())), json.loads(_b64u(body.encode()))
    signature, signed = _b64u(sig.encode()), f"{head}.{body}".encode()
    try:
        if header["alg"] == "RS256":
            public_key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
        elif header["alg"] == "ES256":
            assert len(signature) == 64, "ES256 signatures are raw r||s, 64 bytes"
            der = encode_dss_signature(
                int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            )
            public_key.verify(der, signed, ec.ECDSA(hashes.SHA256()))
        else:
            raise AssertionError(f"unexpected alg {header['alg']}")
    except InvalidSignature:
        raise AssertionError("signature does not verify") from None
    return header, claims


def form_of(request: httpx.Request) -> dict[str, str]:
    """The url-encoded form body of a request."""
    from urllib.parse import parse_qsl

    return dict(parse_qsl(request.content.decode()))


def json_response(status: int, body: Any = None, headers: Optional[dict[str, str]] = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers or {})
