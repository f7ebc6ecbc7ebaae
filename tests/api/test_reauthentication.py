"""Recent authentication ("sudo mode"): auth_time and amr in access tokens, 403 reauthentication_required, reauthenticate."""
import time

import jwt
import pytest
import time_machine

from accounts.models import SecurityEvent, SecurityEventKind
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase"


def claims(access):
    return jwt.decode(access, options={"verify_signature": False})


def change_password(device):
    return device.post("/api/auth/password/", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})


def test_access_tokens_carry_the_time_and_methods_of_the_login(logged_in):
    token = claims(logged_in.access)

    assert abs(token["auth_time"] - time.time()) < 5
    assert token["amr"] == ["pwd"]


def test_a_refresh_keeps_the_login_time(logged_in):
    with time_machine.travel(time.time() + 120, tick=False):
        logged_in.refresh()

    assert claims(logged_in.access)["auth_time"] <= time.time()
    assert claims(logged_in.access)["iat"] - claims(logged_in.access)["auth_time"] >= 119


def test_a_password_change_needs_a_recent_authentication(logged_in, settings):
    with time_machine.travel(time.time() + 301, tick=False):
        logged_in.refresh()  # a valid access token, but the authentication is 301 s old
        response = change_password(logged_in)

    assert response.status_code == 403
    assert response.json()["code"] == "reauthentication_required"


def test_reauthenticating_renews_auth_time_for_this_session_only(logged_in, log_in):
    other = log_in()
    with time_machine.travel(time.time() + 600, tick=False):
        logged_in.refresh()
        other.refresh()
        response = logged_in.post("/api/auth/reauthenticate/", {"password": PASSWORD})

        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"access", "token_type", "expires_in"}
        logged_in.access = body["access"]
        assert abs(claims(body["access"])["auth_time"] - time.time()) < 2
        assert change_password(logged_in).status_code == 204
        # The other device's authentication is still old.
        assert claims(other.access)["auth_time"] < time.time() - 500

    assert SecurityEvent.objects.filter(kind=SecurityEventKind.REAUTHENTICATED).count() == 1


def test_the_renewed_time_survives_a_refresh(logged_in):
    with time_machine.travel(time.time() + 600, tick=False):
        logged_in.refresh()
        logged_in.access = logged_in.post("/api/auth/reauthenticate/", {"password": PASSWORD}).json()["access"]
        logged_in.refresh()

        assert abs(claims(logged_in.access)["auth_time"] - time.time()) < 2


def test_a_wrong_password_is_a_400_with_a_field_message_and_counts_toward_the_backoff(logged_in):
    for _ in range(5):
        response = logged_in.post("/api/auth/reauthenticate/", {"password": "not it"})
        assert response.status_code == 400
        assert response.json()["fields"]["password"] == ["Your password is not correct."]
    logged_in.post("/api/auth/reauthenticate/", {"password": "not it"})

    throttled = logged_in.post("/api/auth/reauthenticate/", {"password": PASSWORD})

    assert throttled.status_code == 429
    assert "Retry-After" in throttled


def test_reauthenticate_needs_a_valid_access_token(client, user):
    response = client.post("/api/auth/reauthenticate/", {"password": PASSWORD}, format="json")

    assert response.status_code == 401


def test_a_token_without_auth_time_is_not_recent(logged_in):
    from accounts.api.reauth import authenticated_recently

    class Grant:
        token = {"sid": "x"}

    assert not authenticated_recently(Grant())
    assert not authenticated_recently(None)
