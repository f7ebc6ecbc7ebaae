"""Optional access-token binding (OWASP token sidejacking): ACCESS_TOKEN_BINDING=cookie."""
import jwt
import pytest
from rest_framework.test import APIClient

from tests.conftest import LoggedIn, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def binding_on(settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "ACCESS_TOKEN_BINDING": "cookie"}


def test_binding_is_off_by_default(logged_in):
    assert "access_binding" not in logged_in.response.cookies
    assert "bnd" not in jwt.decode(logged_in.access, options={"verify_signature": False})


def test_login_sets_a_hardened_binding_cookie_and_the_token_holds_only_its_hash(client, user, binding_on):
    response = login(client)

    cookie = response.cookies["access_binding"]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Strict" and cookie["path"] == "/api/"
    claims = jwt.decode(response.json()["access"], options={"verify_signature": False})
    assert claims["bnd"] and cookie.value not in response.json()["access"]


def test_a_bound_token_works_with_its_cookie(client, user, binding_on):
    device = LoggedIn(client, login(client))

    assert device.get("/api/auth/me/").status_code == 200


def test_a_bound_token_replayed_without_its_cookie_is_refused(client, user, binding_on):
    access = login(client).json()["access"]
    thief = APIClient()

    response = thief.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {access}")

    assert response.status_code == 401
    assert response.json()["code"] == "token_binding_mismatch"


def test_a_bound_token_with_another_sessions_cookie_is_refused(client, user, binding_on):
    access = login(client).json()["access"]
    other = APIClient()
    login(other)

    assert other.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {access}").status_code == 401


def test_refresh_keeps_the_binding_and_logout_clears_it(client, user, binding_on):
    device = LoggedIn(client, login(client))

    assert device.refresh().status_code == 200
    assert device.get("/api/auth/me/").status_code == 200
    response = client.post("/api/auth/logout/")
    assert response.cookies["access_binding"].value == ""


def test_a_token_without_binding_is_refused_once_binding_is_on(client, user, settings):
    access = login(client).json()["access"]
    settings.GATEHOUSE = {**settings.GATEHOUSE, "ACCESS_TOKEN_BINDING": "cookie"}

    assert client.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {access}").status_code == 401


def test_a_bound_token_its_owner_has_used_is_still_refused_without_its_cookie(client, user, binding_on):
    device = LoggedIn(client, login(client))
    assert device.get("/api/auth/me/").status_code == 200  # now remembered as verified by this process
    thief = APIClient()

    response = thief.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {device.access}")

    assert response.status_code == 401
    assert response.json()["code"] == "token_binding_mismatch"


def test_a_thief_without_the_cookie_cannot_tell_whether_the_session_is_still_live(client, user, binding_on):
    device = LoggedIn(client, login(client))
    assert device.post("/api/auth/logout-all/").status_code == 204
    thief = APIClient()

    response = thief.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {device.access}")

    assert response.json()["code"] == "token_binding_mismatch"  # not session_ended
