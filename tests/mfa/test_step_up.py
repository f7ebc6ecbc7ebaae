"""While a factor is on, changing factors needs a recent authentication with a second factor (issue 19, item 5)."""
import pytest

from accounts.mfa.models import TotpDevice
from tests.conftest import PASSWORD
from tests.mfa.conftest import STEP, log_in_with_code

pytestmark = pytest.mark.django_db

REAUTH = "/api/auth/reauthenticate/"
TOTP = "/api/auth/mfa/totp/"
RECOVERY_CODES = "/api/auth/mfa/recovery-codes/"


def reauthenticate(device, **proof):
    response = device.post(REAUTH, proof)
    assert response.status_code == 200, response.content
    device.access = response.json()["access"]


def test_a_password_alone_does_not_remove_the_authenticator_app(enrolled, clock):
    # repro: a TOTP account re-authenticated with its password (amr ["pwd"]): DELETE /mfa/totp/ answered 204
    device = enrolled.device
    reauthenticate(device, password=PASSWORD)

    response = device.delete(TOTP)

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "reauthentication_required"
    assert body["methods"] == ["totp", "recovery_code"]
    assert TotpDevice.objects.filter(confirmed_at__isnull=False).exists()


def test_a_code_at_re_authentication_allows_removing_the_app(enrolled, clock):
    device = enrolled.device
    clock.shift(STEP)
    reauthenticate(device, code=enrolled.code())

    assert device.delete(TOTP).status_code == 204
    assert not TotpDevice.objects.exists()


def test_a_recovery_code_at_re_authentication_is_at_that_level_too(enrolled, clock):
    device = enrolled.device
    reauthenticate(device, code=enrolled.recovery_codes[0])

    assert device.post(RECOVERY_CODES).status_code == 200


def test_a_login_with_both_steps_may_change_factors_while_recent(enrolled, clock):
    clock.shift(STEP)
    device = log_in_with_code(enrolled.code())

    assert device.post(RECOVERY_CODES).status_code == 200


def test_new_recovery_codes_need_a_second_factor_not_a_password(enrolled, clock):
    device = enrolled.device
    reauthenticate(device, password=PASSWORD)

    response = device.post(RECOVERY_CODES)

    assert response.status_code == 403 and response.json()["code"] == "reauthentication_required"


def test_an_old_second_factor_authentication_is_not_enough(enrolled, clock):
    clock.shift(STEP)
    device = log_in_with_code(enrolled.code())
    clock.shift(3600)
    device.refresh()

    assert device.delete(TOTP).status_code == 403


def test_enrolling_the_first_factor_needs_only_a_recent_password(clock, logged_in):
    response = logged_in.post(TOTP)

    assert response.status_code == 200, response.content


def test_without_a_factor_an_old_authentication_asks_for_the_password(clock, logged_in):
    clock.shift(3600)
    logged_in.refresh()

    response = logged_in.post(TOTP)

    assert response.status_code == 403 and response.json()["methods"] == ["password"]
