"""Trusted devices: "trust this device" at the second step lets this browser's password logins skip it."""
import time

import jwt
import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.devices.models import TrustedDevice
from accounts.devices.trusted import COOKIE
from accounts.recovery import tokens as reset_tokens
from tests.conftest import PASSWORD, LoggedIn, login
from tests.mfa.conftest import confirm_with_code, enrol, first_step

pytestmark = pytest.mark.django_db

LIST = "/api/auth/trusted-devices/"


def claims(access):
    return jwt.decode(access, options={"verify_signature": False})


def second_step(client, mfa_token, code, **body):
    return client.post("/api/auth/login/mfa/", {"mfa_token": mfa_token, "code": code, **body}, format="json")


def trusted_login(client, code, username="alice"):
    """Both steps with "trust this device" ticked; the 200."""
    response = second_step(client, first_step(client, username), code, trust_device=True)
    assert response.status_code == 200, response.content
    return response


@pytest.fixture
def browser(enrolled, clock):
    """A browser that ticked "trust this device" at alice's second step (the app's next code)."""
    client = APIClient(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
    clock.shift(30)
    response = trusted_login(client, enrolled.code())
    return LoggedIn(client, response)


def test_trust_device_sets_a_strict_httponly_cookie_scoped_to_auth(browser):
    cookie = browser.response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Strict"
    assert cookie["path"] == "/api/auth/"
    assert int(cookie["max-age"]) == 30 * 24 * 3600
    device = TrustedDevice.objects.get()
    assert cookie.value.split(".")[1] not in device.digest  # only a keyed digest is kept


def test_a_trusted_browser_skips_the_second_step_but_not_the_password(browser):
    """Repro: every password login of an account with a factor asked for the second step, even from a trusted browser."""
    assert login(browser.client, password="wrong password").status_code == 401
    response = login(browser.client)
    assert response.status_code == 200, response.content
    assert claims(response.json()["access"])["amr"] == ["pwd"]
    assert TrustedDevice.objects.get().last_used_at is not None


def test_without_trust_device_no_cookie_and_the_next_login_asks_again(enrolled, clock):
    client = APIClient()
    clock.shift(30)
    response = second_step(client, first_step(client), enrolled.code())
    assert response.status_code == 200
    assert COOKIE not in response.cookies
    assert login(client).status_code == 202


def test_a_trusted_browser_is_no_second_factor_for_changing_one(browser):
    """Changing a factor still asks for a code: amr ["pwd"] is below the factor level."""
    device = LoggedIn(browser.client, login(browser.client))
    response = device.post("/api/auth/mfa/recovery-codes/")
    assert response.status_code == 403
    assert response.json()["code"] == "reauthentication_required"


def test_listed_and_removable(browser):
    listed = browser.get(LIST)
    assert listed.status_code == 200
    [item] = listed.json()
    assert item["device"] == "Firefox on Linux" and item["current"] is True
    assert set(item) == {"id", "created_at", "last_used_at", "expires_at", "ip_address", "device", "current"}
    removed = browser.delete(f"{LIST}{item['id']}/")
    assert removed.status_code == 204
    assert removed.cookies[COOKIE].value == ""
    assert browser.delete(f"{LIST}{item['id']}/").status_code == 404
    browser.client.cookies[COOKIE] = browser.response.cookies[COOKIE].value
    assert login(browser.client).status_code == 202


def test_another_users_device_cannot_be_removed(browser, make_user, log_in):
    make_user("bob")
    bob = log_in("bob")
    device_id = TrustedDevice.objects.get().pk
    assert bob.delete(f"{LIST}{device_id}/").status_code == 404
    assert bob.get(LIST).json() == []
    assert TrustedDevice.objects.filter(pk=device_id).exists()


def test_a_password_change_ends_them(browser):
    response = browser.post(
        "/api/auth/password/", {"current_password": PASSWORD, "new_password": "another horse battery staple"}
    )
    assert response.status_code == 204, response.content
    assert not TrustedDevice.objects.exists()
    assert login(browser.client, password="another horse battery staple").status_code == 202


def test_a_cookie_kept_after_a_password_reset_is_ignored(clock, make_user):
    """Attack: whoever kept the cookie (and learns the new password) must not skip the second step after a reset.

    The address is verified, so the reset keeps the factor (it ends only those added while it was not).
    """
    dave = make_user("dave", email_verified_at=timezone.now())
    enrolled = enrol(LoggedIn(APIClient(), login(APIClient(), "dave")))
    clock.shift(30)
    kept = APIClient()
    trusted_login(kept, enrolled.code(), username="dave")
    dave.refresh_from_db()
    response = APIClient().post(
        "/api/auth/password-reset/confirm/",
        {"token": reset_tokens.make_token(dave), "new_password": "another horse battery staple"},
        format="json",
    )
    assert response.status_code == 204, response.content
    assert not TrustedDevice.objects.exists()
    assert login(kept, "dave", password="another horse battery staple").status_code == 202


def test_a_password_set_elsewhere_ends_them_too(browser, user):
    """The device keeps the password's fingerprint: a password set by any path (the admin, a shell) ends it."""
    user.refresh_from_db()
    user.set_password("another horse battery staple")
    user.save()
    assert login(browser.client, password="another horse battery staple").status_code == 202
    assert not TrustedDevice.objects.exists()


def test_a_change_of_factors_ends_them(browser, enrolled):
    confirm_with_code(enrolled)
    assert enrolled.device.post("/api/auth/mfa/recovery-codes/").status_code == 200
    assert not TrustedDevice.objects.exists()
    assert login(browser.client).status_code == 202


def test_a_new_factor_ends_them(clock, make_user):
    """Turning the app off and on again (TOTP on/off): each change of factors passes one place."""
    make_user("carol")
    device = LoggedIn(APIClient(), login(APIClient(), "carol"))
    enrolled = enrol(device)
    clock.shift(30)
    client = APIClient()
    trusted_login(client, enrolled.code(), username="carol")
    assert TrustedDevice.objects.count() == 1
    confirm_with_code(enrolled)
    assert enrolled.device.delete("/api/auth/mfa/totp/").status_code == 204
    assert not TrustedDevice.objects.exists()


def test_the_cookie_of_one_account_is_ignored_at_anothers_login(browser, make_user, clock):
    """Attack: a cookie copied from alice's browser into a login of bob (who has a factor too)."""
    bob_user = make_user("bob")
    bob = LoggedIn(APIClient(), login(APIClient(), "bob"))
    enrol(bob)
    attacker = APIClient()
    attacker.cookies[COOKIE] = browser.response.cookies[COOKIE].value
    response = login(attacker, "bob")
    assert response.status_code == 202
    assert bob_user.trusted_devices.count() == 0


@pytest.mark.parametrize("value", [
    "garbage",
    "",
    "0" * 32 + "." + "A" * 43,
    "ffffffffffffffffffffffffffffffff.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "x" * 5000,
    "é.ü",
    "\x00",
])
def test_a_forged_or_garbled_cookie_is_ignored(browser, value):
    client = APIClient()
    client.cookies[COOKIE] = value
    assert login(client).status_code == 202


def test_the_right_id_with_another_secret_is_ignored(browser):
    device_id, _, secret = browser.response.cookies[COOKIE].value.partition(".")
    client = APIClient()
    client.cookies[COOKIE] = f"{device_id}.{'B' * 43}"
    assert login(client).status_code == 202


def test_it_expires_after_mfa_trust_days(browser):
    with time_machine.travel(time.time() + 31 * 24 * 3600, tick=False):
        assert login(browser.client).status_code == 202


def test_mfa_trust_days_zero_turns_it_off(settings, enrolled, clock):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "MFA_TRUST_DAYS": 0}
    client = APIClient()
    clock.shift(30)
    response = second_step(client, first_step(client), enrolled.code(), trust_device=True)
    assert response.status_code == 200
    assert COOKIE not in response.cookies
    assert not TrustedDevice.objects.exists()


def test_a_passkey_less_account_without_a_factor_is_unaffected(logged_in):
    """No factor, no second step: a trust_device cookie changes nothing for such a login."""
    logged_in.client.cookies[COOKIE] = "garbage"
    assert login(logged_in.client).status_code == 200
