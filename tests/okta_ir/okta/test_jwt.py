"""Hand-built JWS: header/claims encoding, verification round trip, malformed tokens."""

from __future__ import annotations

import pytest
from okta_http import public_from_jwk, verify_jws
from okta_ir.errors import InvalidResponseError
from okta_ir.okta.jwt import decode_unverified, encode_jwt, new_jti, verify_jwt
from okta_ir.okta.keys import generate_ec_key


def test_header_has_alg_typ_and_kid_only_when_given() -> None:
    key = generate_ec_key()
    token = encode_jwt({"a": 1}, key, kid="kid-1", extra_header={"x": "y"})
    header, claims = verify_jws(token, public_from_jwk(key.public_jwk()))
    assert header == {"alg": "ES256", "typ": "JWT", "kid": "kid-1", "x": "y"}
    assert claims == {"a": 1}
    assert "=" not in token and token.count(".") == 2
    assert decode_unverified(encode_jwt({"a": 1}, key))[0] == {"alg": "ES256", "typ": "JWT"}


def test_verify_jwt_round_trip_and_rejections() -> None:
    key, other = generate_ec_key(), generate_ec_key()
    token = encode_jwt({"sub": "0oa1"}, key)
    assert verify_jwt(token, key.public_jwk()) == ({"alg": "ES256", "typ": "JWT"}, {"sub": "0oa1"})
    with pytest.raises(InvalidResponseError, match="does not verify"):
        verify_jwt(token, other.public_jwk())
    head, _body, sig = token.split(".")
    with pytest.raises(InvalidResponseError, match="does not verify"):
        verify_jwt(f"{head}.{encode_jwt({'sub': 'evil'}, key).split('.')[1]}.{sig}", key.public_jwk())


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("a.b", "three dot-separated parts"),
        ("!!.e30.AA", "not base64url JSON"),
        ("W10.e30.AA", "must be JSON objects"),
        ("eyJhbGciOiJub25lIn0.e30.", "unsupported JWT alg 'none'"),
    ],
)
def test_malformed_tokens(token: str, reason: str) -> None:
    with pytest.raises(InvalidResponseError, match=reason):
        verify_jwt(token, generate_ec_key().public_jwk())


def test_jti_is_unique() -> None:
    assert len({new_jti() for _ in range(1000)}) == 1000
