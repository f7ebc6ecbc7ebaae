"""Access tokens checked by verifiers nobody here wrote, from the published JWKS alone.

PyJWT's ``PyJWKClient`` fetches the JWKS from a live server; jwcrypto and
joserfc read the same document. Each pins the issuer and the audience.
"""
import json
import warnings

import jwt
import pytest
from jwcrypto import jwk as jwcrypto_jwk
from jwcrypto import jwt as jwcrypto_jwt
from joserfc import jwk as joserfc_jwk
from joserfc import jwt as joserfc_jwt
from joserfc.errors import SecurityWarning

from tests.conftest import login
from tests.sessions.test_signing_keys import NEW_KEYS, private_pem

pytestmark = pytest.mark.django_db

ISSUER = "https://auth.example.com"
AUDIENCE = "https://api.example.com"


@pytest.fixture
def asymmetric(settings):
    def configure(algorithm):
        key = NEW_KEYS[algorithm]()
        settings.GATEHOUSE = {**settings.GATEHOUSE, "JWT": {
            **settings.GATEHOUSE["JWT"], "ALGORITHM": algorithm, "PRIVATE_KEY": private_pem(key),
            "PREVIOUS_PUBLIC_KEYS": None, "ISSUER": ISSUER, "AUDIENCE": AUDIENCE,
        }}
        return key

    return configure


@pytest.mark.parametrize("algorithm", sorted(NEW_KEYS))
def test_pyjwk_client_verifies_tokens_with_issuer_and_audience_pinned_and_no_warning(
    client, user, asymmetric, live_server, algorithm
):
    # Repro: PyJWT could not pin iss/aud (tokens had none).
    asymmetric(algorithm)
    access = login(client).json()["access"]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        signing_key = jwt.PyJWKClient(f"{live_server.url}/.well-known/jwks.json").get_signing_key_from_jwt(access)
        claims = jwt.decode(
            access, signing_key.key, algorithms=[algorithm], issuer=ISSUER, audience=AUDIENCE,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )

    assert claims["sub"] == str(user.pk)


@pytest.mark.parametrize("algorithm", sorted(NEW_KEYS))
def test_jwcrypto_verifies_tokens_with_issuer_and_audience_pinned(client, user, asymmetric, algorithm):
    asymmetric(algorithm)
    access = login(client).json()["access"]
    keys = jwcrypto_jwk.JWKSet.from_json(client.get("/.well-known/jwks.json").content)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        token = jwcrypto_jwt.JWT(jwt=access, key=keys, check_claims={"iss": ISSUER, "aud": AUDIENCE, "exp": None})

    assert json.loads(token.claims)["sub"] == str(user.pk)


@pytest.mark.parametrize("algorithm", sorted(NEW_KEYS))
def test_joserfc_verifies_tokens_with_issuer_and_audience_pinned(client, user, asymmetric, algorithm):
    asymmetric(algorithm)
    access = login(client).json()["access"]
    keys = joserfc_jwk.KeySet.import_key_set(client.get("/.well-known/jwks.json").json())

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        token = joserfc_jwt.decode(access, keys, algorithms=[algorithm])
    joserfc_jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": ISSUER}, aud={"essential": True, "value": AUDIENCE},
        exp={"essential": True},
    ).validate(token.claims)

    assert token.claims["sub"] == str(user.pk)
    # Our tokens name EdDSA (the one name PyJWT verifies); joserfc verifies them and says RFC 9864 deprecates it.
    expected = ["EdDSA is deprecated via RFC 9864"] if algorithm == "EdDSA" else []
    assert [str(w.message) for w in caught if issubclass(w.category, SecurityWarning)] == expected


def test_the_published_ed25519_key_serves_verifiers_that_want_either_name(client, user, asymmetric):
    # Repro: the JWK said "alg": "EdDSA", so a verifier using RFC 9864's "Ed25519" refused the key
    # (joserfc: "This key is designed for algorithm 'EdDSA'"); saying "Ed25519" instead makes PyJWT skip it.
    private_key = asymmetric("EdDSA")
    [published] = client.get("/.well-known/jwks.json").json()["keys"]
    assert published["kty"] == "OKP" and published["crv"] == "Ed25519" and "alg" not in published

    # A verifier that wants the fully-specified name, given a token so named by the same key:
    signer = joserfc_jwk.OKPKey.import_key(private_pem(private_key))
    fully_specified = joserfc_jwt.encode({"alg": "Ed25519", "kid": published["kid"]}, {"sub": "x"}, signer, algorithms=["Ed25519"])
    keys = joserfc_jwk.KeySet.import_key_set({"keys": [published]})
    assert joserfc_jwt.decode(fully_specified, keys, algorithms=["Ed25519"]).claims == {"sub": "x"}
    jwcrypto_key = jwcrypto_jwk.JWK(**published)
    assert json.loads(jwcrypto_jwt.JWT(jwt=fully_specified, key=jwcrypto_key, algs=["Ed25519"]).claims) == {"sub": "x"}

    # ... and one that wants EdDSA, given Gatehouse's own token:
    access = login(client).json()["access"]
    assert jwt.get_unverified_header(access)["alg"] == "EdDSA"
    key = jwt.PyJWK.from_dict(published)
    assert key.algorithm_name == "EdDSA"
    assert jwt.decode(access, key.key, algorithms=["EdDSA"], issuer=ISSUER, audience=AUDIENCE)["sub"] == str(user.pk)
