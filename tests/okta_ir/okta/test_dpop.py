"""DPoP proofs (RFC 9449): header, claims, htu without query/fragment, ath, nonce, signature."""

from __future__ import annotations

import base64
import hashlib

from okta_http import public_from_jwk, verify_jws
from okta_ir.okta.dpop import DpopProver, access_token_hash, htu_of
from okta_ir.okta.keys import jwk_thumbprint


def test_proof_header_and_claims_verified_independently() -> None:
    prover = DpopProver()
    proof = prover.proof(
        "get",
        "https://acme.okta.com/api/v1/logs?since=x&limit=5#frag",
        now=1700000000.9,
        nonce="n-1",
        access_token="tok.en",
    )
    header, claims = verify_jws(proof, public_from_jwk(prover.public_jwk))
    assert header["typ"] == "dpop+jwt" and header["alg"] == "ES256" and "kid" not in header
    assert header["jwk"] == prover.public_jwk and set(header["jwk"]) == {"kty", "crv", "x", "y"}
    assert "d" not in header["jwk"]
    expected_ath = base64.urlsafe_b64encode(hashlib.sha256(b"tok.en").digest()).rstrip(b"=").decode()
    assert claims == {
        "htm": "GET",
        "htu": "https://acme.okta.com/api/v1/logs",
        "iat": 1700000000,
        "jti": claims["jti"],
        "nonce": "n-1",
        "ath": expected_ath,
    }
    assert len(claims["jti"]) >= 32


def test_token_endpoint_proof_has_no_ath_and_no_nonce_until_given() -> None:
    prover = DpopProver()
    _, claims = verify_jws(
        prover.proof("POST", "https://acme.okta.com/oauth2/v1/token", now=5),
        public_from_jwk(prover.public_jwk),
    )
    assert set(claims) == {"htm", "htu", "iat", "jti"}


def test_each_proof_has_a_fresh_jti_and_one_key_per_prover() -> None:
    prover = DpopProver()
    proofs = [prover.proof("GET", "https://a.example/x", now=1) for _ in range(3)]
    assert len(set(proofs)) == 3
    assert DpopProver().public_jwk != prover.public_jwk
    assert prover.thumbprint == jwk_thumbprint(prover.public_jwk)
    assert repr(prover) == f"DpopProver(alg='ES256', jkt={prover.thumbprint!r})"


def test_helpers() -> None:
    assert htu_of("http://127.0.0.1:8080/oauth2/v1/token?x=1") == "http://127.0.0.1:8080/oauth2/v1/token"
    # RFC 9449 section 7.1 example: ath of the example access token
    assert (
        access_token_hash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU")
        == "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
    )
