"""Helpers for second factors: a controllable clock, enrolment through the API, codes computed with pyotp."""
import time

import pyotp
import pytest
import time_machine
from rest_framework.test import APIClient

from tests.conftest import PASSWORD, LoggedIn, login

# A moment at the start of a 30-second TOTP step, so that shifting by whole
# steps never lands on a boundary.
T0 = 1_900_000_020
STEP = 30


@pytest.fixture
def clock():
    """Time stands still at T0 until the test moves it (``clock.shift(seconds)``)."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def code_at(secret, moment=None):
    return pyotp.TOTP(secret).at(time.time() if moment is None else moment)


class Enrolled:
    """A logged-in device whose account has a confirmed authenticator app."""

    def __init__(self, device, secret, recovery_codes):
        self.device = device
        self.secret = secret
        self.recovery_codes = recovery_codes

    def code(self, offset_steps=0):
        return code_at(self.secret, time.time() + offset_steps * STEP)


def confirm_with_code(enrolled):
    """Re-authenticate the enrolled device's session with the app's next code (amr otp): the level that
    changing a factor needs while one is on. The next step's code, so the clock need not move."""
    response = enrolled.device.post("/api/auth/reauthenticate/", {"code": enrolled.code(offset_steps=1)})
    assert response.status_code == 200, response.content
    enrolled.device.access = response.json()["access"]


def enrol(device):
    """Enrol and confirm an authenticator app through the API; the code of the current step is then spent."""
    started = device.post("/api/auth/mfa/totp/")
    assert started.status_code == 200, started.content
    secret = started.json()["secret"]
    confirmed = device.post("/api/auth/mfa/totp/confirm/", {"code": code_at(secret)})
    assert confirmed.status_code == 200, confirmed.content
    return Enrolled(device, secret, confirmed.json()["recovery_codes"])


@pytest.fixture
def enrolled(clock, logged_in):
    return enrol(logged_in)


def first_step(client, username="alice", password=PASSWORD, **extra):
    """The password step of a login of an account with a second factor: its mfa_token."""
    response = login(client, username, password, **extra)
    assert response.status_code == 202, response.content
    return response.json()["mfa_token"]


def second_step(client, mfa_token, code, **extra):
    return client.post("/api/auth/login/mfa/", {"mfa_token": mfa_token, "code": code}, format="json", **extra)


def log_in_with_code(code, username="alice", **extra):
    """Both steps from a fresh client; the LoggedIn device."""
    device = APIClient()
    response = second_step(device, first_step(device, username, **extra), code, **extra)
    assert response.status_code == 200, response.content
    return LoggedIn(device, response)
