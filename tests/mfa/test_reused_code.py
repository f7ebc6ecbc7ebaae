"""A code of the authenticator app used a second time says so, not "not right" (issue 19, item 16)."""
import pytest
from rest_framework.test import APIClient

from tests.mfa.conftest import STEP, first_step, log_in_with_code, second_step

pytestmark = pytest.mark.django_db

REAUTH = "/api/auth/reauthenticate/"


def test_a_reused_totp_code_at_the_second_step_says_it_was_already_used(enrolled, clock):
    # repro: the code that completed one login, typed again for another login within its 30 s,
    # answered "That code is not right"
    clock.shift(STEP)
    code = enrolled.code()
    log_in_with_code(code)
    other = APIClient()

    response = second_step(other, first_step(other), code)

    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "code_used"
    assert "already used" in body["detail"] and "not right" not in body["detail"]


def test_a_reused_totp_code_at_re_authentication_says_it_was_already_used(enrolled, clock):
    clock.shift(STEP)
    code = enrolled.code()
    device = log_in_with_code(code)

    response = device.post(REAUTH, {"code": code})

    assert response.status_code == 400
    assert response.json()["code"] == "code_used" and "already used" in response.json()["detail"]


def test_a_wrong_code_is_still_not_right(enrolled, clock):
    clock.shift(STEP)
    wrong = f"{(int(enrolled.code()) + 1) % 1_000_000:06d}"
    client = APIClient()

    response = second_step(client, first_step(client), wrong)

    assert response.status_code == 401 and response.json()["code"] == "code_invalid"


def test_a_code_of_an_earlier_step_not_used_is_not_called_used(enrolled, clock):
    # The code of the step before the one just used: refused (steps only go forward), but never used.
    clock.shift(3 * STEP)
    log_in_with_code(enrolled.code())
    client = APIClient()

    response = second_step(client, first_step(client), enrolled.code(-1))

    assert response.status_code == 401 and response.json()["code"] == "code_invalid"
