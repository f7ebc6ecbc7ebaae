"""Standard claims other services pin: ``iss``, ``sub`` and, when configured, ``aud``.

A token that Gatehouse's own key signed but whose issuer or audience is not
the configured one is refused like a forged one.
"""
import base64
import hashlib
import hmac
import json

import jwt
import pytest
from django.conf import settings as django_settings

from tests.conftest import login

pytestmark = pytest.mark.django_db

ISSUER = "https://auth.example.com"


@pytest.fixture
def claims_config(settings):
    def configure(issuer=ISSUER, audience=None):
        settings.GATEHOUSE = {
            **settings.GATEHOUSE,
            "JWT": {**settings.GATEHOUSE["JWT"], "ISSUER": issuer, "AUDIENCE": audience},
        }

    return configure


def hs256_key():
    return django_settings.GATEHOUSE["JWT"]["SIGNING_KEY"]


def unverified(access):
    return jwt.decode(access, options={"verify_signature": False})


def re_signed(access, **changes):
    """The same token signed again with the server's own key and kid, claims changed (None: removed)."""
    claims = {**unverified(access), **changes}
    claims = {name: value for name, value in claims.items() if value is not None}
    header = {"alg": "HS256", "typ": "JWT", "kid": jwt.get_unverified_header(access)["kid"]}
    # By hand: PyJWT refuses to sign some of the claims under test (a non-string iss).
    signing_input = f"{b64(header)}.{b64(claims)}"
    mac = hmac.new(hs256_key().encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


def b64(value):
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def me(client, access):
    return client.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {access}")


def test_tokens_verify_in_pyjwt_with_issuer_and_audience_pinned(client, user, claims_config):
    # Repro: jwt.decode(token, key, issuer=..., audience=...) failed: tokens had no iss, aud or sub.
    claims_config(audience="https://api.example.com")
    access = login(client).json()["access"]

    claims = jwt.decode(
        access, hs256_key(), algorithms=["HS256"], issuer=ISSUER, audience="https://api.example.com",
        options={"require": ["iss", "aud", "sub", "exp", "iat"]},
    )

    assert claims["sub"] == str(user.pk) and claims["user_id"] == str(user.pk) and claims["sid"]
    assert me(client, access).status_code == 200


def test_without_an_audience_configured_tokens_carry_no_aud(client, user, claims_config):
    claims_config(audience=None)

    claims = unverified(login(client).json()["access"])

    assert claims["iss"] == ISSUER and "aud" not in claims


def test_the_issuer_defaults_to_the_site_url(client, user, settings, claims_config):
    claims_config(issuer=None)
    settings.SITE_URL = "https://site.example.com"

    assert unverified(login(client).json()["access"])["iss"] == "https://site.example.com"


def test_without_an_issuer_tokens_carry_none_and_none_is_required(client, user, settings, claims_config):
    # Production with neither SITE_URL nor JWT_ISSUER (check --deploy warns): no iss, none checked.
    claims_config(issuer=None)
    settings.SITE_URL = None
    access = login(client).json()["access"]

    assert "iss" not in unverified(access)
    assert me(client, access).status_code == 200
    assert me(client, re_signed(access, iss="https://anyone.example")).status_code == 200


@pytest.mark.parametrize(
    "changes",
    [{"iss": "https://evil.example"}, {"iss": None}, {"iss": 42}],
    ids=["wrong-iss", "no-iss", "non-string-iss"],
)
def test_a_correctly_signed_token_with_a_wrong_or_missing_issuer_is_refused(client, user, claims_config, changes):
    # Repro: a token signed with Gatehouse's key but another iss (or none) was accepted.
    claims_config()
    access = login(client).json()["access"]
    assert me(client, re_signed(access)).status_code == 200  # control: re-signing alone changes nothing

    response = me(client, re_signed(access, **changes))

    assert response.status_code == 401 and response.json()["code"] == "token_not_valid"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "changes", [{"aud": "https://other.example"}, {"aud": None}, {"aud": ["https://other.example"]}],
    ids=["wrong-aud", "no-aud", "list-without-ours"],
)
def test_a_correctly_signed_token_with_a_wrong_or_missing_audience_is_refused(client, user, claims_config, changes):
    # Repro: JWT_AUDIENCE did not exist; a token for another audience was accepted.
    claims_config(audience="https://api.example.com")
    access = login(client).json()["access"]

    response = me(client, re_signed(access, **changes))

    assert response.status_code == 401 and response.json()["code"] == "token_not_valid"


def test_a_token_carrying_an_audience_is_refused_when_none_is_configured(client, user, claims_config):
    # Repro: with no JWT_AUDIENCE, a token minted for some audience was accepted here too.
    claims_config(audience=None)
    access = login(client).json()["access"]

    assert me(client, re_signed(access, aud="https://api.example.com")).status_code == 401


def test_changing_the_issuer_forgets_tokens_already_verified(client, user, claims_config):
    # Repro guard: the verified-token memory must not keep accepting a token the new settings refuse.
    claims_config(issuer=ISSUER)
    access = login(client).json()["access"]
    assert me(client, access).status_code == 200  # now remembered as verified

    claims_config(issuer="https://new-name.example.com")

    assert me(client, access).status_code == 401
