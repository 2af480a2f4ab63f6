"""Signing keys in pure Python (``rsa`` and ``ecdsa``): PEM and JWK loading, JWK export, RFC 7638 thumbprints.

The Splunk app may not ship compiled libraries, so nothing here uses ``cryptography``.
Supported: RSA (PKCS#1 or PKCS#8 PEM, JWK; RS256) and EC P-256 (SEC1 or PKCS#8 PEM, JWK; ES256).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from typing import Any, Optional

import ecdsa
import rsa
from ecdsa.util import sigdecode_string, sigencode_string
from pyasn1.codec.der import decoder as der_decoder
from pyasn1.error import PyAsn1Error

from okta_ir.errors import ConfigError
from okta_ir.okta.encoding import b64url_decode, b64url_encode, b64url_to_int, int_to_b64url

__all__ = [
    "EcSigningKey",
    "RsaSigningKey",
    "SigningKey",
    "generate_ec_key",
    "jwk_thumbprint",
    "key_from_jwk",
    "load_private_key",
    "normalize_pem",
    "verify_signature",
]

_RSA_OID = "1.2.840.113549.1.1.1"
_MIN_RSA_BITS = 2048


class SigningKey:
    """A private key that signs JWS payloads; ``alg`` is RS256 or ES256. Its repr shows no key material."""

    alg = ""

    def __init__(self, kid: Optional[str] = None) -> None:
        self.kid = kid

    def sign(self, data: bytes) -> bytes:
        """The JWS signature of ``data`` (raw bytes, before base64url)."""
        raise NotImplementedError

    def public_jwk(self) -> dict[str, str]:
        """The public JWK: only the members RFC 7638 hashes, plus nothing private."""
        raise NotImplementedError

    def private_jwk(self) -> dict[str, str]:
        """The full private JWK (for exporting a generated key; never log it)."""
        raise NotImplementedError

    def thumbprint(self) -> str:
        """RFC 7638 JWK SHA-256 thumbprint of the public key, base64url."""
        return jwk_thumbprint(self.public_jwk())

    def __repr__(self) -> str:
        return f"{type(self).__name__}(alg={self.alg!r}, kid={self.kid!r})"


class RsaSigningKey(SigningKey):
    """RSA private key signing RS256 (RSASSA-PKCS1-v1_5 with SHA-256)."""

    alg = "RS256"

    def __init__(self, key: rsa.PrivateKey, kid: Optional[str] = None) -> None:
        super().__init__(kid)
        if key.n.bit_length() < _MIN_RSA_BITS:
            raise ConfigError(
                f"RSA key is {key.n.bit_length()} bits: Okta needs {_MIN_RSA_BITS}+; generate a new key"
            )
        self._key = key

    @property
    def bits(self) -> int:
        """Modulus size in bits."""
        return int(self._key.n.bit_length())

    def sign(self, data: bytes) -> bytes:
        return bytes(rsa.sign(data, self._key, "SHA-256"))

    def public_jwk(self) -> dict[str, str]:
        return {"e": int_to_b64url(self._key.e), "kty": "RSA", "n": int_to_b64url(self._key.n)}

    def private_jwk(self) -> dict[str, str]:
        k = self._key
        jwk = dict(self.public_jwk())
        jwk.update(
            d=int_to_b64url(k.d),
            p=int_to_b64url(k.p),
            q=int_to_b64url(k.q),
            dp=int_to_b64url(k.exp1),
            dq=int_to_b64url(k.exp2),
            qi=int_to_b64url(k.coef),
        )
        if self.kid:
            jwk["kid"] = self.kid
        return jwk


class EcSigningKey(SigningKey):
    """EC P-256 private key signing ES256 (raw r||s, 64 bytes, RFC 7518 §3.4)."""

    alg = "ES256"

    def __init__(self, key: ecdsa.SigningKey, kid: Optional[str] = None) -> None:
        super().__init__(kid)
        if key.curve != ecdsa.NIST256p:
            raise ConfigError(f"EC key is on curve {key.curve.name}: only P-256 (ES256) is supported")
        self._key = key

    def sign(self, data: bytes) -> bytes:
        return bytes(self._key.sign_deterministic(data, hashfunc=hashlib.sha256, sigencode=sigencode_string))

    def public_jwk(self) -> dict[str, str]:
        raw = self._key.get_verifying_key().to_string()
        return {"crv": "P-256", "kty": "EC", "x": b64url_encode(raw[:32]), "y": b64url_encode(raw[32:])}

    def private_jwk(self) -> dict[str, str]:
        jwk = dict(self.public_jwk())
        jwk["d"] = b64url_encode(self._key.to_string())
        if self.kid:
            jwk["kid"] = self.kid
        return jwk


def generate_ec_key() -> EcSigningKey:
    """A fresh P-256 key (the ephemeral DPoP key)."""
    return EcSigningKey(ecdsa.SigningKey.generate(curve=ecdsa.NIST256p))


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 thumbprint: SHA-256 over the required members in lexicographic order, no whitespace."""
    kty = jwk.get("kty")
    if kty == "RSA":
        members: tuple[str, ...] = ("e", "kty", "n")
    elif kty == "EC":
        members = ("crv", "kty", "x", "y")
    else:
        raise ValueError(f"unsupported JWK kty {kty!r}")
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    return b64url_encode(hashlib.sha256(canonical.encode("utf-8")).digest())


def verify_signature(public_jwk: Mapping[str, Any], alg: str, data: bytes, signature: bytes) -> bool:
    """Check an RS256/ES256 signature against a public JWK (for servers such as the simulator)."""
    try:
        if alg == "RS256" and public_jwk.get("kty") == "RSA":
            pub = rsa.PublicKey(b64url_to_int(str(public_jwk["n"])), b64url_to_int(str(public_jwk["e"])))
            return bool(rsa.verify(data, signature, pub) == "SHA-256")
        if alg == "ES256" and public_jwk.get("kty") == "EC" and public_jwk.get("crv") == "P-256":
            point = b64url_decode(str(public_jwk["x"])) + b64url_decode(str(public_jwk["y"]))
            vk = ecdsa.VerifyingKey.from_string(point, curve=ecdsa.NIST256p)
            return bool(vk.verify(signature, data, hashfunc=hashlib.sha256, sigdecode=sigdecode_string))
    except (rsa.VerificationError, ecdsa.BadSignatureError, KeyError, ValueError, AssertionError):
        return False
    return False


def _recover_primes(n: int, e: int, d: int) -> tuple[int, int]:
    """Factor n from (n, e, d) (NIST SP 800-56B, Appendix C) for JWKs that omit p and q."""
    k = d * e - 1
    t = k
    while t % 2 == 0:
        t //= 2
    for g in range(2, 200):
        x = pow(g, t, n)
        while True:
            if x in (1, n - 1):
                break
            y = pow(x, 2, n)
            if y == 1:
                p = _gcd(x - 1, n)
                return p, n // p
            if y == n - 1:
                break
            x = y
            if x == 1:
                break
    raise ValueError("could not derive the RSA primes from n, e, d")


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def key_from_jwk(jwk: Mapping[str, Any]) -> SigningKey:
    """A signing key from a private JWK (RSA n,e,d[,p,q] or EC P-256 x,y,d); ConfigError when unusable."""
    kty = jwk.get("kty")
    kid = jwk.get("kid") if isinstance(jwk.get("kid"), str) else None
    if "d" not in jwk:
        raise ConfigError("the JWK is a public key (no 'd'): provide the private key of the service app")
    try:
        if kty == "RSA":
            n, e, d = (b64url_to_int(str(jwk[m])) for m in ("n", "e", "d"))
            if "p" in jwk and "q" in jwk:
                p, q = b64url_to_int(str(jwk["p"])), b64url_to_int(str(jwk["q"]))
            else:
                p, q = _recover_primes(n, e, d)
            if p * q != n:
                raise ValueError("p*q does not equal n")
            if pow(pow(2, e, n), d, n) != 2:
                raise ValueError("d does not match n and e")
            return RsaSigningKey(rsa.PrivateKey(n, e, d, p, q), kid=kid)
        if kty == "EC":
            if jwk.get("crv") != "P-256":
                raise ConfigError(f"EC JWK curve {jwk.get('crv')!r} is not supported: use P-256 (ES256)")
            secret = b64url_decode(str(jwk["d"]))
            sk = ecdsa.SigningKey.from_string(secret.rjust(32, b"\0"), curve=ecdsa.NIST256p)
            key = EcSigningKey(sk, kid=kid)
            if "x" in jwk and "y" in jwk:
                public = key.public_jwk()
                if (public["x"], public["y"]) != (jwk["x"], jwk["y"]):
                    raise ValueError("x/y do not match d")
            return key
    except ConfigError:
        raise
    except (KeyError, ValueError, TypeError, ecdsa.MalformedPointError) as exc:
        raise ConfigError(f"invalid {kty} JWK private key ({_describe(exc)})") from None
    raise ConfigError(f"unsupported JWK kty {kty!r}: use an RSA or EC P-256 key")


def _describe(exc: BaseException) -> str:
    """A short reason for a key parsing failure that never echoes key material."""
    if isinstance(exc, KeyError):
        return f"missing member {exc.args[0]!r}"
    return type(exc).__name__ if not str(exc) or len(str(exc)) > 80 else str(exc)


_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.DOTALL)


def normalize_pem(text: str) -> str:
    """Re-wrap a PEM block whose line breaks were lost or escaped (pasted into a one-line field).

    Literal ``\\n`` sequences become newlines, the base64 body is re-wrapped at 64 characters;
    blocks with RFC 1421 headers (``Proc-Type:``) are left as they are.
    """
    text = text.replace("\\r\\n", "\n").replace("\\n", "\n").strip()
    match = _PEM_BLOCK.search(text)
    if match is None or ":" in match.group(2):
        return text
    body = "".join(match.group(2).split())
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    label = match.group(1)
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"]) + "\n"


def _load_pem(text: str) -> SigningKey:
    """RSA (PKCS#1 / PKCS#8) or EC (SEC1 / PKCS#8) private key from PEM text."""
    text = normalize_pem(text)
    data = text.encode("ascii", "replace")
    if "ENCRYPTED" in text:
        raise ConfigError(
            "the private key is encrypted with a passphrase: export it unencrypted (PKCS#8), kept private"
        )
    if "-----BEGIN RSA PRIVATE KEY-----" in text:
        try:
            return RsaSigningKey(rsa.PrivateKey.load_pkcs1(data, "PEM"))
        except ConfigError:
            raise
        except Exception as exc:  # the rsa package raises assorted types on bad DER
            raise ConfigError(f"invalid RSA (PKCS#1) private key PEM ({_describe(exc)})") from None
    if "-----BEGIN EC PRIVATE KEY-----" in text:
        return _load_ec_pem(text)
    if "-----BEGIN PRIVATE KEY-----" in text:
        try:
            der = rsa.pem.load_pem(data, "PRIVATE KEY")
            info, _ = der_decoder.decode(der)
            oid = str(info[1][0])
        except (PyAsn1Error, ValueError, IndexError, TypeError) as exc:
            raise ConfigError(f"invalid PKCS#8 private key PEM ({_describe(exc)})") from None
        if oid == _RSA_OID:
            try:
                return RsaSigningKey(rsa.PrivateKey.load_pkcs1(bytes(info[2]), "DER"))
            except ConfigError:
                raise
            except Exception as exc:
                raise ConfigError(f"invalid RSA key inside the PKCS#8 PEM ({_describe(exc)})") from None
        return _load_ec_pem(text)
    if "PUBLIC KEY-----" in text or "CERTIFICATE-----" in text:
        raise ConfigError("this is a public key or certificate: provide the service app's PRIVATE key")
    raise ConfigError(
        "no PEM private key found (expected '-----BEGIN PRIVATE KEY-----' or an RSA/EC variant)"
    )


def _load_ec_pem(text: str) -> SigningKey:
    try:
        sk = ecdsa.SigningKey.from_pem(text)
    except Exception as exc:  # ecdsa raises assorted types on unknown curves / bad DER
        raise ConfigError(
            f"unsupported or invalid private key PEM ({_describe(exc)}): use RSA or EC P-256"
        ) from None
    return EcSigningKey(sk)


def load_private_key(path_or_text: str) -> SigningKey:
    """Load a private key from a file path or from the text itself (PEM or JWK JSON).

    Raises ConfigError with the reason (missing file, permission, encrypted, unsupported, malformed);
    messages never contain key material.
    """
    if not isinstance(path_or_text, str) or not path_or_text.strip():
        raise ConfigError("no private key given: set the path of the service app's private key (PEM or JWK)")
    text = path_or_text.strip()
    if not text.startswith(("-----BEGIN", "{", "[")):
        path = os.path.expanduser(text)
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read().strip()
        except FileNotFoundError:
            raise ConfigError(f"private key file {path!r} not found: check the path") from None
        except PermissionError:
            raise ConfigError(f"private key file {path!r} is not readable (permission denied)") from None
        except UnicodeDecodeError:
            raise ConfigError(
                f"private key file {path!r} is not text: provide a PEM or JWK file, not DER/PKCS#12"
            ) from None
        except OSError as exc:
            raise ConfigError(f"cannot read private key file {path!r}: {exc.strerror or exc}") from None
        if not text:
            raise ConfigError(f"private key file {path!r} is empty")
    if text.startswith(("{", "[")):
        try:
            jwk: Any = json.loads(text)
        except ValueError:
            raise ConfigError(
                "the private key looks like JSON but is not valid JSON (expected a JWK)"
            ) from None
        if isinstance(jwk, dict) and isinstance(jwk.get("keys"), list):
            if len(jwk["keys"]) != 1 or not isinstance(jwk["keys"][0], dict):
                raise ConfigError("the JWK set must hold exactly one private key")
            jwk = jwk["keys"][0]
        if not isinstance(jwk, dict):
            raise ConfigError("the private key JSON must be a JWK object")
        return key_from_jwk(jwk)
    return _load_pem(text)
