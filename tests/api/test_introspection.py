"""Token introspection (RFC 7662) for other services: revocation reaches whoever asks.

``POST /api/auth/introspect/`` with ``Authorization: Bearer <INTROSPECTION_SECRET>``
answers ``{"active": true, ...}`` for a valid access token of a live session,
from the same one-query session check Gatehouse's own routes use, and
``{"active": false}`` for anything else, never an error.
"""
import time

import jwt
import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import RefreshSession
from accounts.sessions import jwt_keys
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db

URL = "/api/auth/introspect/"
SECRET = "introspection-" + "s3cr3t" * 6
INACTIVE = {"active": False}


@pytest.fixture
def enabled(settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "INTROSPECTION_SECRET": SECRET}


@pytest.fixture
def service():
    """Another service's HTTP client, holding the introspection secret."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {SECRET}")
    return client


def introspect(service, token, format="json"):
    response = service.post(URL, {"token": token}, format=format)
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    return response.json()


def test_a_live_access_token_is_active_with_its_claims(enabled, service, logged_in, user):
    # Repro: there was no way for another service to learn that a token was revoked.
    claims = jwt.decode(logged_in.access, options={"verify_signature": False})

    answer = introspect(service, logged_in.access)

    assert answer == {
        "active": True, "sub": str(user.pk), "sid": claims["sid"], "exp": claims["exp"], "iat": claims["iat"],
        "iss": jwt_keys.issuer(), "jti": claims["jti"], "token_type": "access", "username": user.username,
        "auth_time": claims["auth_time"], "amr": ["pwd"],
    }


def test_an_active_answer_carries_auth_time_and_amr_so_a_service_can_ask_for_step_up(
    enabled, service, logged_in, time_machine
):
    # Repro: introspection omitted auth_time and amr: a service could not tell an old password
    # login from a fresh one, nor ask for a re-authentication.
    first = introspect(service, logged_in.access)
    assert first["amr"] == ["pwd"]
    assert first["auth_time"] == jwt.decode(logged_in.access, options={"verify_signature": False})["auth_time"]

    time_machine.move_to(time.time() + 120)
    response = logged_in.post("/api/auth/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 200, response.content
    fresher = introspect(service, response.json()["access"])

    assert fresher["amr"] == ["pwd"]
    assert fresher["auth_time"] >= first["auth_time"] + 120
    assert introspect(service, logged_in.access)["auth_time"] == first["auth_time"]  # each token its own


def test_a_form_encoded_request_works_as_rfc_7662_shows_it(enabled, service, logged_in):
    response = service.generic(
        "POST", URL, f"token={logged_in.access}&token_type_hint=access_token",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200 and response.json()["active"] is True


def test_the_audience_is_reported_when_configured(enabled, settings, service, client, user):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "JWT": {**settings.GATEHOUSE["JWT"], "AUDIENCE": "https://api.example"}}
    access = login(client).json()["access"]

    assert introspect(service, access)["aud"] == "https://api.example"


def test_a_token_becomes_inactive_at_once_when_its_session_ends(enabled, service, logged_in):
    # Repro: a service verifying with the JWKS accepted a logged-out token until it expired.
    assert introspect(service, logged_in.access)["active"] is True

    logged_in.client.cookies["refresh_token"] = logged_in.refresh_token
    assert logged_in.client.post("/api/auth/logout/").status_code == 204

    assert introspect(service, logged_in.access) == INACTIVE


def test_revoked_sessions_inactive_users_and_changed_passwords_are_inactive(enabled, service, log_in, user):
    revoked, deactivated = log_in(), log_in()
    RefreshSession.objects.filter(pk=jwt.decode(revoked.access, options={"verify_signature": False})["sid"]).update(
        revoked_at="2020-01-01T00:00:00Z"
    )
    assert introspect(service, revoked.access) == INACTIVE

    user.is_active = False
    user.save()
    assert introspect(service, deactivated.access) == INACTIVE


def test_an_expired_token_is_inactive(enabled, service, logged_in, time_machine):
    time_machine.move_to(time.time() + 3600)

    assert introspect(service, logged_in.access) == INACTIVE


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "a.b.c", "x" * 10_000, "eyJhbGciOiJub25lIn0.e30.", "\u00e9" * 50, 42],
    ids=["empty", "word", "three-parts", "huge", "alg-none", "non-ascii", "a-number"],
)
def test_anything_that_is_not_a_valid_access_token_is_inactive_never_an_error(enabled, service, token):
    assert introspect(service, token) == INACTIVE


def test_a_refresh_token_and_a_forged_or_foreign_token_are_inactive(enabled, service, logged_in):
    claims = jwt.decode(logged_in.access, options={"verify_signature": False})
    kid = jwt.get_unverified_header(logged_in.access)["kid"]
    key = django_settings.GATEHOUSE["JWT"]["SIGNING_KEY"]

    assert introspect(service, logged_in.refresh_token) == INACTIVE
    assert introspect(service, jwt.encode(claims, "not-our-key-" * 4, algorithm="HS256", headers={"kid": kid})) == INACTIVE
    foreign = jwt.encode({**claims, "iss": "https://evil.example"}, key, algorithm="HS256", headers={"kid": kid})
    assert introspect(service, foreign) == INACTIVE
    assert introspect(service, jwt.encode(claims, key, algorithm="HS256", headers={"kid": kid}))["active"] is True


def test_without_the_secret_the_answer_is_401_with_a_challenge(enabled, logged_in):
    for authorization in (None, "Bearer wrong", f"Basic {SECRET}", f"Bearer {SECRET}x", f"Bearer {logged_in.access}"):
        client = APIClient()
        if authorization:
            client.credentials(HTTP_AUTHORIZATION=authorization)
        response = client.post(URL, {"token": logged_in.access}, format="json")

        assert response.status_code == 401, authorization
        assert response.json()["code"] == "invalid_client"
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_route_does_not_exist_while_no_secret_is_configured(service, logged_in):
    response = service.post(URL, {"token": logged_in.access}, format="json")

    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_request_without_a_token_is_a_400(enabled, service):
    for body in ({}, {"token": None}, {"token": ["a"]}):
        response = service.post(URL, body, format="json")
        assert response.status_code == 400 and response.json()["code"] == "invalid", body


def test_introspection_is_throttled_per_client(enabled, service, logged_in, monkeypatch):
    # DRF reads the rates once, at import; point the throttles at tight ones.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"introspect_ip": "3/min"})

    statuses = [service.post(URL, {"token": logged_in.access}, format="json").status_code for _ in range(3)]
    throttled = APIClient().post(URL, {"token": "x"}, format="json")  # wrong secrets count too

    assert statuses == [200, 200, 200]
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0


def test_an_active_answer_costs_the_one_session_query(enabled, service, logged_in, django_assert_num_queries):
    introspect(service, logged_in.access)  # the signature is now remembered, as for a second request
    with django_assert_num_queries(1):
        assert introspect(service, logged_in.access)["active"] is True
