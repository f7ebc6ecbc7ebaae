"""Access-token signing: HS256 by default; RS256, ES256, EdDSA with a JWKS and key rotation."""
import base64
import hashlib
import hmac
import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from django.core.exceptions import ImproperlyConfigured

from accounts.sessions.jwt_keys import keyring
from tests.conftest import login

pytestmark = pytest.mark.django_db


def private_pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(key):
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


NEW_KEYS = {
    "RS256": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
    "ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
    "EdDSA": ed25519.Ed25519PrivateKey.generate,
}


@pytest.fixture
def use_keys(settings):
    def configure(algorithm, private_key=None, previous=()):
        settings.GATEHOUSE = {**settings.GATEHOUSE, "JWT": {
            **settings.GATEHOUSE["JWT"],
            "ALGORITHM": algorithm,
            "PRIVATE_KEY": private_pem(private_key) if private_key else None,
            "PREVIOUS_PUBLIC_KEYS": "".join(public_pem(key) for key in previous),
        }}
        return keyring()

    return configure


def bearer_get(client, access, path="/api/auth/me/"):
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {access}")


def test_default_tokens_are_hs256_with_a_kid_and_the_jwks_is_empty(client, user):
    access = login(client).json()["access"]

    header = jwt.get_unverified_header(access)
    assert header["alg"] == "HS256" and header["kid"]
    assert client.get("/.well-known/jwks.json").json() == {"keys": []}


@pytest.mark.parametrize("algorithm", sorted(NEW_KEYS))
def test_asymmetric_tokens_verify_against_the_published_jwks(client, user, use_keys, algorithm):
    use_keys(algorithm, NEW_KEYS[algorithm]())

    access = login(client).json()["access"]
    jwks = client.get("/.well-known/jwks.json").json()

    header = jwt.get_unverified_header(access)
    assert header["alg"] == algorithm
    [published] = jwks["keys"]
    assert published["kid"] == header["kid"] and published["use"] == "sig" and "d" not in published
    public_key = jwt.PyJWK.from_dict(published).key
    claims = jwt.decode(access, public_key, algorithms=[algorithm])
    assert claims["token_type"] == "access"
    assert bearer_get(client, access).status_code == 200


def test_rotation_keeps_tokens_of_the_previous_key_valid_while_it_is_listed(client, user, use_keys):
    old_key, new_key = NEW_KEYS["ES256"](), NEW_KEYS["ES256"]()
    use_keys("ES256", old_key)
    old_token = login(client).json()["access"]

    use_keys("ES256", new_key, previous=[old_key])
    new_token = login(client).json()["access"]

    assert jwt.get_unverified_header(new_token)["kid"] != jwt.get_unverified_header(old_token)["kid"]
    assert bearer_get(client, old_token).status_code == 200
    assert bearer_get(client, new_token).status_code == 200
    assert len(client.get("/.well-known/jwks.json").json()["keys"]) == 2

    use_keys("ES256", new_key)  # the old key retired
    assert bearer_get(client, old_token).status_code == 401
    assert bearer_get(client, new_token).status_code == 200


def test_the_next_key_can_be_published_ahead_of_signing_with_it(client, user, use_keys):
    # README rotation step 1: verifiers that cache the JWKS hold the new key before any token uses it.
    current, upcoming = NEW_KEYS["RS256"](), NEW_KEYS["RS256"]()
    ring = use_keys("RS256", current, previous=[upcoming])
    token = login(client).json()["access"]

    assert [key["kid"] for key in client.get("/.well-known/jwks.json").json()["keys"]] == [
        key.kid for key in ring.public_keys
    ]
    assert len(ring.public_keys) == 2 and jwt.get_unverified_header(token)["kid"] == ring.public_keys[0].kid

    switched = use_keys("RS256", upcoming, previous=[current])
    assert switched.public_keys[1].kid == ring.public_keys[0].kid
    assert bearer_get(client, token).status_code == 200


def test_hs256_signed_with_the_public_key_is_refused_when_rs256_is_configured(client, user, use_keys):
    rsa_key = NEW_KEYS["RS256"]()
    kid = use_keys("RS256", rsa_key).public_keys[0].kid
    claims = jwt.decode(login(client).json()["access"], options={"verify_signature": False})

    forged = _hmac_token(claims, public_pem(rsa_key), kid)

    assert bearer_get(client, forged).status_code == 401


def _hmac_token(claims, secret, kid):
    """HS256 by hand: PyJWT itself refuses a PEM as an HMAC secret."""
    def b64(raw):
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signing_input = f"{b64(json.dumps({'alg': 'HS256', 'kid': kid}).encode())}.{b64(json.dumps(claims).encode())}"
    mac = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


def test_a_token_with_an_unknown_kid_is_refused(client, user, use_keys):
    use_keys("EdDSA", NEW_KEYS["EdDSA"]())
    access = login(client).json()["access"]
    use_keys("EdDSA", NEW_KEYS["EdDSA"]())

    assert bearer_get(client, access).status_code == 401


@pytest.mark.parametrize(
    "algorithm, key, message",
    [
        ("RS256", None, "needs JWT_PRIVATE_KEY"),
        ("ES256", "not a pem", "not a usable PEM private key"),
        ("ES256", "rsa", "does not hold a key for ES256"),
        ("PS256", None, "JWT_ALGORITHM must be one of"),
    ],
)
def test_bad_key_configuration_is_a_clear_error(settings, algorithm, key, message):
    pem = private_pem(NEW_KEYS["RS256"]()) if key == "rsa" else key
    settings.GATEHOUSE = {**settings.GATEHOUSE, "JWT": {**settings.GATEHOUSE["JWT"], "ALGORITHM": algorithm, "PRIVATE_KEY": pem}}

    with pytest.raises(ImproperlyConfigured, match=message):
        keyring()
