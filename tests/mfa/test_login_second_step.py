"""The two-step login: 202 with an mfa_token after the password, then /api/auth/login/mfa/ with a code."""
import time

import jwt
import pytest
from rest_framework.test import APIClient

from accounts import conf
from accounts.mfa import factors
from accounts.mfa.models import MfaChallenge
from accounts.models import RefreshSession, SecurityEvent, SecurityEventKind
from tests.conftest import PASSWORD, login
from tests.mfa.conftest import STEP, code_at, first_step, log_in_with_code, second_step

pytestmark = pytest.mark.django_db

LOGIN_MFA = "/api/auth/login/mfa/"


def claims(access):
    return jwt.decode(access, options={"verify_signature": False})


def test_a_right_password_answers_202_with_a_single_use_token_and_no_session(enrolled, client):
    # repro: the password alone of an account with a second factor must open no session
    sessions_before = RefreshSession.objects.count()

    response = login(client)

    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"mfa_required", "mfa_token", "methods", "expires_in"}
    assert body["mfa_required"] is True
    assert body["methods"] == ["totp", "recovery_code"]
    assert body["expires_in"] == 300
    assert len(body["mfa_token"]) >= 40
    assert conf.cookie_name() not in response.cookies
    assert response["Cache-Control"] == "no-store"
    assert RefreshSession.objects.count() == sessions_before
    # Stored as a digest only.
    assert not MfaChallenge.objects.filter(token_digest=body["mfa_token"]).exists()
    assert body["mfa_token"] not in str(list(MfaChallenge.objects.values()))


def test_a_wrong_password_gets_the_same_answer_with_or_without_a_second_factor(enrolled, make_user, client):
    # repro: the answer must not say which step failed, nor whether the account has a factor
    make_user("bob")
    with_factor = login(client, "alice", "wrong")
    without = login(client, "bob", "wrong")

    assert with_factor.status_code == without.status_code == 401
    assert with_factor.json() == without.json() == {"detail": "Invalid username or password.",
                                                    "code": "invalid_credentials"}


def test_the_code_completes_the_login_with_the_same_body_and_cookie(enrolled, clock, client):
    clock.shift(STEP)
    mfa_token = first_step(client)

    response = second_step(client, mfa_token, enrolled.code())

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "token_type", "expires_in", "user"}
    assert body["user"]["username"] == "alice"
    cookie = response.cookies[conf.cookie_name()]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/api/auth/"
    assert int(cookie["max-age"]) > 0
    token = claims(body["access"])
    assert token["amr"] == ["pwd", "otp"]
    assert token["auth_time"] == int(time.time())
    session = RefreshSession.objects.get(pk=token["sid"])
    assert session.amr == "pwd otp" and session.persistent
    assert client.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {body['access']}").status_code == 200


def test_keep_me_signed_in_off_carries_through_both_steps(enrolled, clock, client):
    clock.shift(STEP)
    mfa_token = first_step(client, remember=False)

    response = second_step(client, mfa_token, enrolled.code())

    assert response.status_code == 200
    assert response.cookies[conf.cookie_name()]["max-age"] == ""
    session = RefreshSession.objects.get(pk=claims(response.json()["access"])["sid"])
    assert not session.persistent
    assert session.absolute_expires_at - session.created_at == conf.short_ttl()


def test_the_mfa_token_works_once(enrolled, clock, client):
    # repro: an mfa_token replayed after a completed login opens no second session
    clock.shift(STEP)
    mfa_token = first_step(client)
    assert second_step(client, mfa_token, enrolled.code()).status_code == 200
    clock.shift(STEP)

    replay = second_step(client, mfa_token, enrolled.code())

    assert replay.status_code == 401
    assert replay.json()["code"] == "mfa_token_invalid"
    assert conf.cookie_name() not in replay.cookies


def test_a_wrong_code_leaves_the_token_usable(enrolled, clock, client):
    clock.shift(STEP)
    mfa_token = first_step(client)

    wrong = second_step(client, mfa_token, "000000" if enrolled.code() != "000000" else "111111")
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "code_invalid"
    assert second_step(client, mfa_token, enrolled.code()).status_code == 200
    (failed,) = SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED)
    assert (failed.user.username, failed.reason) == ("alice", "code_invalid")


def test_the_same_code_does_not_complete_two_logins(enrolled, clock):
    # repro: a code seen over someone's shoulder, used again within its 30 s, is refused
    clock.shift(STEP)
    code = enrolled.code()
    log_in_with_code(code)
    other = APIClient()

    response = second_step(other, first_step(other), code)

    assert response.status_code == 401
    assert response.json()["code"] == "code_used"


def test_the_code_confirming_the_app_cannot_sign_in(enrolled, client):
    # The confirmation spent the current step's code.
    response = second_step(client, first_step(client), enrolled.code())

    assert response.status_code == 401


def test_the_token_expires_after_five_minutes(enrolled, clock, client):
    mfa_token = first_step(client)
    clock.shift(301)

    response = second_step(client, mfa_token, enrolled.code())

    assert response.status_code == 401
    assert response.json()["code"] == "mfa_token_invalid"


def test_the_token_still_works_just_before_it_expires(enrolled, clock, client):
    mfa_token = first_step(client)
    clock.shift(299)

    assert second_step(client, mfa_token, enrolled.code()).status_code == 200


@pytest.mark.parametrize("other", [
    {"HTTP_USER_AGENT": "another browser"},
    {"REMOTE_ADDR": "198.51.100.7"},
])
def test_the_token_is_answered_only_for_the_client_that_asked(enrolled, clock, other):
    # repro: an mfa_token stolen in transit is no use from another address or browser
    clock.shift(STEP)
    asker = APIClient()
    mfa_token = first_step(asker, HTTP_USER_AGENT="my browser", REMOTE_ADDR="192.0.2.10")
    thief = APIClient()
    extra = {"HTTP_USER_AGENT": "my browser", "REMOTE_ADDR": "192.0.2.10", **other}

    stolen = second_step(thief, mfa_token, enrolled.code(), **extra)

    assert stolen.status_code == 401
    assert stolen.json()["code"] == "mfa_token_invalid"
    own = second_step(asker, mfa_token, enrolled.code(), HTTP_USER_AGENT="my browser", REMOTE_ADDR="192.0.2.10")
    assert own.status_code == 200


def test_another_address_in_the_same_ipv6_64_is_the_same_client(enrolled, clock, client):
    clock.shift(STEP)
    mfa_token = first_step(client, REMOTE_ADDR="2001:db8:1:2::10")

    response = second_step(client, mfa_token, enrolled.code(), REMOTE_ADDR="2001:db8:1:2:ffff::1")

    assert response.status_code == 200


@pytest.mark.parametrize("token", ["", "x", "not-a-token-at-all-but-long-enough", "A" * 43, "A" * 5000])
def test_an_unknown_token_is_mfa_token_invalid(enrolled, client, token):
    response = client.post(LOGIN_MFA, {"mfa_token": token, "code": "123456"}, format="json")

    assert response.status_code in (400, 401)
    assert response.json()["code"] in ("invalid", "mfa_token_invalid")


def test_a_malformed_body_is_a_400(client, db):
    for body in ({}, {"mfa_token": "x"}, {"code": "123456"}, {"mfa_token": ["x"], "code": {"a": 1}}):
        response = client.post(LOGIN_MFA, body, format="json")
        assert response.status_code == 400, body
        assert response.json()["code"] == "invalid"


def test_a_password_changed_after_the_first_step_ends_the_token(enrolled, clock, client, django_user_model):
    clock.shift(STEP)
    mfa_token = first_step(client)
    alice = django_user_model.objects.get(username="alice")
    alice.set_password("a different passphrase")
    alice.save()

    assert second_step(client, mfa_token, enrolled.code()).json()["code"] == "mfa_token_invalid"


def test_an_administrators_reset_ends_pending_tokens(enrolled, clock, client, django_user_model):
    clock.shift(STEP)
    mfa_token = first_step(client)
    factors.reset(user=django_user_model.objects.get(username="alice"), actor=None)

    assert second_step(client, mfa_token, enrolled.code()).json()["code"] == "mfa_token_invalid"


def test_an_inactive_user_cannot_finish(enrolled, clock, client, django_user_model):
    clock.shift(STEP)
    mfa_token = first_step(client)
    django_user_model.objects.filter(username="alice").update(is_active=False)

    assert second_step(client, mfa_token, enrolled.code()).json()["code"] == "mfa_token_invalid"


def test_a_cross_site_post_is_refused_like_a_login(enrolled, clock, client):
    clock.shift(STEP)
    mfa_token = first_step(client)

    response = second_step(client, mfa_token, enrolled.code(), HTTP_ORIGIN="https://evil.example")

    assert response.status_code == 403
    assert response.json()["code"] == "origin_not_allowed"
    assert second_step(client, mfa_token, enrolled.code()).status_code == 200


# --- brute force --------------------------------------------------------------------


def wrong_code(enrolled):
    good = {enrolled.code(offset) for offset in (-1, 0, 1)}
    return next(candidate for candidate in ("000000", "111111", "222222", "333333") if candidate not in good)


def test_wrong_codes_back_off_like_wrong_passwords(enrolled, clock, client):
    # repro: guessing the 6 digits with a known password is slowed exactly as guessing a password is
    clock.shift(STEP)
    mfa_token = first_step(client)
    for _ in range(6):  # 5 free failures, the 6th makes the next attempt wait
        assert second_step(client, mfa_token, wrong_code(enrolled)).status_code == 401

    throttled = second_step(client, mfa_token, enrolled.code())

    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) >= 1
    assert login(client).status_code == 429  # the password step of this account and client waits too


def test_a_right_password_does_not_clear_the_failures_of_the_code(enrolled, clock, client):
    # repro: alternating the known password with code guesses must not reset the backoff
    clock.shift(STEP)
    mfa_token = first_step(client)
    for _ in range(6):
        second_step(client, mfa_token, wrong_code(enrolled))
    clock.shift(2)
    mfa_token = first_step(client)  # the password is right: 202, but the failures stay counted

    assert second_step(client, mfa_token, wrong_code(enrolled)).status_code == 401
    assert second_step(client, mfa_token, enrolled.code()).status_code == 429  # waiting 2 s now, not free again


def test_a_completed_login_clears_the_failures(enrolled, clock, client):
    clock.shift(STEP)
    mfa_token = first_step(client)
    for _ in range(5):
        second_step(client, mfa_token, wrong_code(enrolled))
    assert second_step(client, mfa_token, enrolled.code()).status_code == 200
    clock.shift(STEP)
    mfa_token = first_step(client)

    for _ in range(5):
        assert second_step(client, mfa_token, wrong_code(enrolled)).status_code == 401
    assert second_step(client, mfa_token, enrolled.code()).status_code == 200


def test_the_password_step_of_an_account_without_a_factor_is_unchanged(user, client):
    response = login(client, "alice", PASSWORD)

    assert response.status_code == 200
    assert claims(response.json()["access"])["amr"] == ["pwd"]


def test_expired_challenges_are_swept_by_later_logins(enrolled, clock, client):
    first_step(client)
    clock.shift(400)
    first_step(client)

    assert MfaChallenge.objects.count() == 1


def test_the_code_in_the_window_of_the_next_step_is_accepted_at_login(enrolled, clock, client):
    # ±1 step of drift at login too: the phone's clock may be a little ahead.
    mfa_token = first_step(client)

    assert second_step(client, mfa_token, code_at(enrolled.secret, time.time() + STEP)).status_code == 200


def test_the_mfa_token_is_no_access_token(enrolled, client):
    # repro: the 202's token, sent as a Bearer token, opens nothing
    mfa_token = first_step(client)

    response = client.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {mfa_token}")

    assert response.status_code == 401


def test_another_accounts_code_does_not_complete_this_login(enrolled, clock, make_user, log_in):
    # repro: an attacker with alice's password and their own authenticator cannot finish alice's login
    from tests.mfa.conftest import enrol

    make_user("mallory")
    mallory = enrol(log_in("mallory"))
    clock.shift(STEP)
    device = APIClient()

    response = second_step(device, first_step(device, "alice"), mallory.code())

    assert response.status_code == 401
    assert response.json()["code"] == "code_invalid"
