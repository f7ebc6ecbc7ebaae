"""An OpenID Provider needs an asymmetric key: these tests sign with a fresh ES256 key, and register clients."""
import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from accounts.oidc_provider import clients

REDIRECT = "https://app.example/callback"
SECRET = "s3cret-" + "x" * 40


@pytest.fixture(autouse=True)
def signing_key(settings):
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    settings.GATEHOUSE = {**settings.GATEHOUSE, "JWT": {**settings.GATEHOUSE["JWT"], "ALGORITHM": "ES256",
                                                        "PRIVATE_KEY": pem}}
    return key


@pytest.fixture
def confidential(db):
    client, _ = clients.set_client("app", clients.ClientSettings(
        redirect_uris=[REDIRECT], name="Example App", secret=SECRET,
        post_logout_redirect_uris=("https://app.example/bye",),
        backchannel_logout_uri="https://app.example/backchannel",
    ))
    return client


@pytest.fixture
def public(db):
    client, _ = clients.set_client("spa", clients.ClientSettings(
        redirect_uris=["http://127.0.0.1:5173/cb"], name="Example SPA", secret=None,
    ))
    return client


def pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def query(location) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
