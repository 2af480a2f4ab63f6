"""Key loading (PEM PKCS#1/PKCS#8/SEC1, JWK), JWK export, RFC 7638 thumbprints, checked by cryptography."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from okta_http import new_ec, new_rsa, pem, public_from_jwk, verify_jws
from okta_ir.errors import ConfigError
from okta_ir.okta.auth import load_private_key
from okta_ir.okta.encoding import b64url_encode
from okta_ir.okta.jwt import encode_jwt
from okta_ir.okta.keys import EcSigningKey, RsaSigningKey, jwk_thumbprint, key_from_jwk, verify_signature

RSA_KEY = new_rsa()
EC_KEY = new_ec()


def _int_b64(value: int) -> str:
    return b64url_encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def rsa_jwk(key=RSA_KEY, with_primes: bool = True) -> dict[str, str]:
    numbers = key.private_numbers()
    jwk = {
        "kty": "RSA",
        "kid": "k-rsa",
        "n": _int_b64(numbers.public_numbers.n),
        "e": _int_b64(numbers.public_numbers.e),
        "d": _int_b64(numbers.d),
    }
    if with_primes:
        jwk.update(p=_int_b64(numbers.p), q=_int_b64(numbers.q))
    return jwk


def ec_jwk(key=EC_KEY) -> dict[str, str]:
    numbers = key.private_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "kid": "k-ec",
        "x": _int_b64(numbers.public_numbers.x).rjust(43, "A"),
        "y": _int_b64(numbers.public_numbers.y).rjust(43, "A"),
        "d": _int_b64(numbers.private_value),
    }


def _check_signs_verifiably(key, crypto_private) -> None:
    token = encode_jwt({"sub": "x", "n": 1}, key)
    header, claims = verify_jws(token, crypto_private.public_key())
    assert header == {"alg": key.alg, "typ": "JWT"}
    assert claims == {"sub": "x", "n": 1}


@pytest.mark.parametrize("fmt", ["pkcs1", "pkcs8"])
def test_rsa_pem_formats_load_and_sign_rs256(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    path.write_text(pem(RSA_KEY, fmt))
    for source in (str(path), pem(RSA_KEY, fmt)):
        key = load_private_key(source)
        assert isinstance(key, RsaSigningKey) and key.alg == "RS256" and key.bits == 2048
        _check_signs_verifiably(key, RSA_KEY)


@pytest.mark.parametrize("fmt", ["sec1", "pkcs8"])
def test_ec_pem_formats_load_and_sign_es256(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    path.write_text(pem(EC_KEY, fmt))
    key = load_private_key(str(path))
    assert isinstance(key, EcSigningKey) and key.alg == "ES256"
    _check_signs_verifiably(key, EC_KEY)


def test_jwk_rsa_with_and_without_primes_and_jwk_set(tmp_path: Path) -> None:
    for jwk in (rsa_jwk(), rsa_jwk(with_primes=False)):
        key = load_private_key(json.dumps(jwk))
        assert key.kid == "k-rsa"
        _check_signs_verifiably(key, RSA_KEY)
    path = tmp_path / "okta.jwks"
    path.write_text(json.dumps({"keys": [rsa_jwk()]}))
    assert load_private_key(str(path)).public_jwk() == {"e": "AQAB", "kty": "RSA", "n": rsa_jwk()["n"]}


def test_jwk_ec_and_public_export_matches_cryptography() -> None:
    key = load_private_key(json.dumps(ec_jwk()))
    assert key.kid == "k-ec"
    _check_signs_verifiably(key, EC_KEY)
    public = key.public_jwk()
    assert set(public) == {"kty", "crv", "x", "y"}
    expected = EC_KEY.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert public["x"] == b64url_encode(expected[1:33]) and public["y"] == b64url_encode(expected[33:])


def test_private_jwk_round_trip() -> None:
    for original, crypto in (
        (load_private_key(pem(RSA_KEY, "pkcs8")), RSA_KEY),
        (load_private_key(pem(EC_KEY, "sec1")), EC_KEY),
    ):
        exported = original.private_jwk()
        again = key_from_jwk(exported)
        assert again.public_jwk() == original.public_jwk()
        _check_signs_verifiably(again, crypto)
    rsa_exported = load_private_key(pem(RSA_KEY, "pkcs1")).private_jwk()
    numbers = RSA_KEY.private_numbers()
    assert rsa_exported["dp"] == _int_b64(numbers.dmp1) and rsa_exported["qi"] == _int_b64(numbers.iqmp)


def test_rfc7638_thumbprint_example() -> None:
    """The worked example of RFC 7638 section 3.1."""
    jwk = {
        "kty": "RSA",
        "n": (
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJE"
            "CPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2Q"
            "vzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6"
            "WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
        ),
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29",
    }
    assert jwk_thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_thumbprint_uses_only_required_members() -> None:
    key = load_private_key(json.dumps(ec_jwk()))
    assert key.thumbprint() == jwk_thumbprint({**key.public_jwk(), "kid": "ignored", "use": "sig"})
    with pytest.raises(ValueError, match="unsupported JWK kty 'oct'"):
        jwk_thumbprint({"kty": "oct", "k": "x"})


def test_verify_signature_helper_accepts_good_and_rejects_tampered() -> None:
    for crypto in (RSA_KEY, EC_KEY):
        fmt = "pkcs8"
        key = load_private_key(pem(crypto, fmt))
        signature = key.sign(b"payload")
        assert verify_signature(key.public_jwk(), key.alg, b"payload", signature) is True
        assert verify_signature(key.public_jwk(), key.alg, b"payloaX", signature) is False
        assert verify_signature(key.public_jwk(), "HS256", b"payload", signature) is False


def test_ec_signatures_are_raw_64_bytes_and_deterministic() -> None:
    key = load_private_key(pem(EC_KEY, "sec1"))
    assert len(key.sign(b"a")) == 64
    assert key.sign(b"a") == key.sign(b"a")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no private key given"),
        ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "public key or certificate"),
        (
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----",
            "encrypted with a passphrase",
        ),
        (
            "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----",
            "invalid PKCS#8 private key PEM",
        ),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----",
            "invalid RSA (PKCS#1)",
        ),
        (
            "-----BEGIN EC PRIVATE KEY-----\nbm90IGEga2V5\n-----END EC PRIVATE KEY-----",
            "unsupported or invalid private key",
        ),
        ("-----BEGIN SOMETHING-----\nxx\n-----END SOMETHING-----", "no PEM private key found"),
        ("{not json", "not valid JSON"),
        ('["a"]', "must be a JWK object"),
        ('{"keys": []}', "exactly one private key"),
        ('{"kty": "RSA", "n": "AQAB", "e": "AQAB"}', "is a public key (no 'd')"),
        ('{"kty": "oct", "d": "AA"}', "unsupported JWK kty 'oct'"),
        ('{"kty": "EC", "crv": "P-384", "d": "AA"}', "curve 'P-384' is not supported"),
        ('{"kty": "RSA", "e": "AQAB", "d": "AQAB"}', "missing member 'n'"),
        ('{"kty": "EC", "crv": "P-256", "d": "!!"}', "invalid EC JWK private key"),
    ],
)
def test_invalid_keys_fail_with_a_clear_reason(text: str, reason: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_private_key(text)
    assert reason in str(caught.value)


def test_small_rsa_and_other_curves_are_refused() -> None:
    with pytest.raises(ConfigError, match="1024 bits: Okta needs 2048"):
        load_private_key(pem(new_rsa(1024), "pkcs8"))
    with pytest.raises(ConfigError, match="only P-256"):
        load_private_key(pem(new_ec(ec.SECP384R1()), "pkcs8"))
    with pytest.raises(ConfigError, match="d does not match n and e"):
        key_from_jwk({**rsa_jwk(), "d": rsa_jwk(new_rsa())["d"]})
    with pytest.raises(ConfigError, match="p\\*q does not equal n"):
        key_from_jwk({**rsa_jwk(), "p": rsa_jwk(new_rsa())["p"]})
    mismatched = {**ec_jwk(), "x": ec_jwk(new_ec())["x"]}
    with pytest.raises(ConfigError, match="x/y do not match d"):
        key_from_jwk(mismatched)


def test_unreadable_key_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"private key file '.*missing.pem' not found: check the path"):
        load_private_key(str(tmp_path / "missing.pem"))
    empty = tmp_path / "empty.pem"
    empty.write_text("")
    with pytest.raises(ConfigError, match="is empty"):
        load_private_key(str(empty))
    binary = tmp_path / "key.der"
    binary.write_bytes(
        RSA_KEY.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    with pytest.raises(ConfigError, match="is not text: provide a PEM or JWK"):
        load_private_key(str(binary))
    with pytest.raises(ConfigError, match="cannot read private key file"):
        load_private_key(str(tmp_path))
    if os.geteuid() != 0:
        locked = tmp_path / "locked.pem"
        locked.write_text(pem(EC_KEY, "sec1"))
        locked.chmod(0)
        with pytest.raises(ConfigError, match="not readable \\(permission denied\\)"):
            load_private_key(str(locked))


def test_errors_and_reprs_never_contain_key_material() -> None:
    key_pem = pem(RSA_KEY, "pkcs8")
    broken = key_pem.replace(key_pem.splitlines()[5], key_pem.splitlines()[5][:-4] + "!!!!")
    with pytest.raises(ConfigError) as caught:
        load_private_key(broken)
    for line in key_pem.splitlines()[1:-1]:
        assert line not in str(caught.value)
    key = load_private_key(key_pem)
    assert repr(key) == "RsaSigningKey(alg='RS256', kid=None)"
    assert rsa_jwk()["d"] not in repr(key)


def test_public_jwk_round_trips_through_cryptography() -> None:
    key = load_private_key(pem(RSA_KEY, "pkcs1"))
    numbers = public_from_jwk(key.public_jwk()).public_numbers()
    assert numbers == RSA_KEY.public_key().public_numbers()


@pytest.mark.parametrize("mangle", ["spaces", "escaped", "crlf", "no_breaks"])
def test_pem_pasted_into_a_one_line_field_still_loads(mangle: str) -> None:
    for crypto, fmt in ((RSA_KEY, "pkcs1"), (EC_KEY, "pkcs8")):
        text = pem(crypto, fmt)
        lines = text.strip().splitlines()
        mangled = {
            "spaces": " ".join(lines),
            "escaped": "\\n".join(lines),
            "crlf": "\r\n".join(lines) + "\r\n",
            "no_breaks": lines[0] + "".join(lines[1:-1]) + lines[-1],
        }[mangle]
        _check_signs_verifiably(load_private_key(mangled), crypto)
