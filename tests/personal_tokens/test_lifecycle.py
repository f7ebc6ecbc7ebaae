"""What ends a personal access token, and what does not (contract: "Tokens for other services and scripts")."""
import pytest
from rest_framework.test import APIClient

from accounts.models import RevocationReason, SecurityEvent, SecurityEventKind
from accounts.personal_tokens.models import PersonalAccessToken
from accounts.recovery import tokens as reset_tokens
from tests.personal_tokens.conftest import Script, create

pytestmark = pytest.mark.django_db


def test_a_password_reset_ends_every_token(script, user, settings):
    # repro: a token, then the password is reset by email → the token is a 401 at once, recorded as a reset
    settings.SITE_URL = "https://gatehouse.test"
    user.refresh_from_db()  # the login moved last_login, which the reset token covers
    body = {"token": reset_tokens.make_token(user), "new_password": "a brand new passphrase 42"}
    assert APIClient().post("/api/auth/password-reset/confirm/", body, format="json").status_code == 204

    response = script.get("/api/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "personal_token_revoked"
    assert PersonalAccessToken.objects.get().revoked_reason == RevocationReason.PASSWORD_RESET
    event = SecurityEvent.objects.get(kind=SecurityEventKind.PERSONAL_TOKEN_REVOKED)
    assert event.reason == RevocationReason.PASSWORD_RESET


def test_deactivating_the_user_ends_every_token_and_reactivation_does_not_bring_them_back(script, user):
    # repro: user.is_active = False; user.save() → the token is a 401; is_active = True again → still a 401
    user.is_active = False
    user.save()
    assert script.get("/api/auth/me/").status_code == 401
    assert PersonalAccessToken.objects.get().revoked_reason == RevocationReason.USER_DEACTIVATED

    user.is_active = True
    user.save()
    response = script.get("/api/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "personal_token_revoked"


def test_deleting_the_user_deletes_their_tokens(script, user):
    user.delete()

    assert not PersonalAccessToken.objects.exists()
    assert script.get("/api/auth/me/").status_code == 401


def test_deactivating_one_user_leaves_the_others_tokens_alone(log_in, make_user, user, created):
    make_user("bob")
    bobs = create(log_in("bob"), name="bob's").json()["token"]
    user.is_active = False
    user.save()

    assert Script(created["token"]).get("/api/auth/me/").status_code == 401
    assert Script(bobs).get("/api/auth/me/").status_code == 200
