"""Helpers for the Okta client tests: fake clock, cassette replay, keys, JWS checks via ``cryptography``.

``cryptography`` (a dev dependency) is used only here: a self-consistent but wrong signer fails.
"""

from __future__ import annotations

import base64
import json
import math
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


def okta_error(
    status: int, code: str, summary: str, causes: tuple[str, ...] = (), headers=None
) -> httpx.Response:
    body = {
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": "oaeTEST123",
        "errorCauses": [{"errorSummary": c} for c in causes],
    }
    return httpx.Response(status, json=body, headers=headers or {})


class BucketServer:
    """An Okta-like bucket: `limit` per 60 s window starting at the first request, Reset = window end,
    a per-credential cap of `limit * token_share` (as Okta enforces), Date floored to whole seconds."""

    def __init__(
        self,
        clock: FakeClock,
        limit: int = 120,
        token_share: float = 0.5,
        latency: float = 0.2,
        others_per_window: int = 0,
    ) -> None:
        self.clock, self.limit, self.token_cap, self.latency = clock, limit, int(limit * token_share), latency
        self.others_per_window = others_per_window
        self.window_end = -1.0
        self.total = self.ours = 0
        self.ok = 0
        self.throttled = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.clock.now += self.latency
        now = self.clock.now
        if now >= self.window_end:
            self.window_end = now + 60.0
            self.total, self.ours = self.others_per_window, 0
        reset = str(math.ceil(self.window_end))
        headers = {"Date": http_date(now), "X-Rate-Limit-Limit": str(self.limit), "X-Rate-Limit-Reset": reset}
        if self.total >= self.limit or self.ours >= self.token_cap:
            self.throttled += 1
            headers["X-Rate-Limit-Remaining"] = "0"
            return okta_error(
                429, "E0000047", "API call exceeded rate limit due to too many requests.", headers=headers
            )
        self.total += 1
        self.ours += 1
        self.ok += 1
        headers["X-Rate-Limit-Remaining"] = str(self.limit - self.total)
        after = f"c{self.ok}"
        headers["Link"] = f'<{ORG}/api/v1/logs?after={after}>; rel="next"'
        return httpx.Response(200, json=[{"uuid": after}], headers=headers)
