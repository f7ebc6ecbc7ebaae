"""Re-authentication with a code: TOTP or a recovery code renews auth_time, amr says "otp"."""
import time

import jwt
import pytest

from accounts.models import SecurityEvent, SecurityEventKind
from tests.conftest import PASSWORD
from tests.mfa.conftest import STEP, log_in_with_code

pytestmark = pytest.mark.django_db

REAUTH = "/api/auth/reauthenticate/"


def claims(access):
    return jwt.decode(access, options={"verify_signature": False})


def grow_old(clock, device):
    """Let the session's authentication grow older than REAUTH_MAX_AGE (keeping a valid access token)."""
    clock.shift(301)
    assert device.refresh().status_code == 200


def test_a_totp_code_renews_the_authentication_and_unlocks_the_factor_routes(enrolled, clock):
    # repro: past REAUTH_MAX_AGE removing the app is refused until the user confirms with a code
    device = enrolled.device
    grow_old(clock, device)
    assert device.delete("/api/auth/mfa/totp/").status_code == 403

    response = device.post(REAUTH, {"code": enrolled.code()})

    assert response.status_code == 200
    device.access = response.json()["access"]
    token = claims(device.access)
    assert token["amr"] == ["otp"]
    assert token["auth_time"] == int(time.time())
    assert device.delete("/api/auth/mfa/totp/").status_code == 204
    event = SecurityEvent.objects.filter(kind=SecurityEventKind.REAUTHENTICATED).get()
    assert event.reason == "totp"


def test_a_recovery_code_works_too_and_only_once(enrolled, clock):
    device = enrolled.device
    grow_old(clock, device)
    code = enrolled.recovery_codes[0]

    assert device.post(REAUTH, {"code": code}).status_code == 200
    again = device.post(REAUTH, {"code": code})
    assert again.status_code == 400
    assert again.json()["code"] == "code_invalid"


def test_a_code_used_at_login_cannot_re_authenticate(enrolled, clock):
    # repro: the code that completed a login, replayed to sudo mode within its window, is refused
    clock.shift(STEP)
    code = enrolled.code()
    device = log_in_with_code(code)

    response = device.post(REAUTH, {"code": code})

    assert response.status_code == 400
    assert response.json()["code"] == "code_used"


def test_wrong_codes_count_toward_the_backoff(enrolled, clock):
    # repro: a stolen access token is no oracle for the 6 digits either
    device = enrolled.device
    clock.shift(STEP)
    for _ in range(6):
        assert device.post(REAUTH, {"code": "000000" if enrolled.code() != "000000" else "111111"}).status_code == 400

    throttled = device.post(REAUTH, {"code": enrolled.code()})

    assert throttled.status_code == 429
    assert "Retry-After" in throttled
    assert device.post(REAUTH, {"password": PASSWORD}).status_code == 429


def test_a_code_without_a_factor_is_refused(clock, logged_in):
    response = logged_in.post(REAUTH, {"code": "123456"})

    assert response.status_code == 400
    assert response.json()["code"] == "code_invalid"


def test_password_or_code_not_both(enrolled):
    response = enrolled.device.post(REAUTH, {"password": PASSWORD, "code": enrolled.code()})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_neither_is_the_old_missing_password_answer(logged_in):
    response = logged_in.post(REAUTH, {})

    assert response.status_code == 400
    assert response.json()["fields"] == {"password": ["This field is required."]}


def test_the_password_still_re_authenticates_an_account_with_a_factor(enrolled, clock):
    device = enrolled.device
    grow_old(clock, device)

    response = device.post(REAUTH, {"password": PASSWORD})

    assert response.status_code == 200
    assert claims(response.json()["access"])["amr"] == ["pwd"]


def test_enrolling_after_the_window_needs_a_re_authentication(clock, logged_in):
    # repro: POST /api/auth/mfa/totp/ with a token whose auth_time is older than REAUTH_MAX_AGE is 403
    grow_old(clock, logged_in)
    assert logged_in.post("/api/auth/mfa/totp/").status_code == 403

    logged_in.access = logged_in.post(REAUTH, {"password": PASSWORD}).json()["access"]

    assert logged_in.post("/api/auth/mfa/totp/").status_code == 200
