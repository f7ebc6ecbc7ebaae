"""A password reset ends the second factors attached while the address was unverified (issue 19, item 3a).

Someone signs up with another person's address (never verified) and adds a
passkey or an authenticator app. The owner of the mailbox takes the account
back with a reset link: what the other attached goes with the reset, and the
owner is told by mail; what was added once the address was verified stays.
"""
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.mail.models import OutboxMessage
from accounts.mfa.models import RecoveryCode, TotpDevice
from accounts.models import SecurityEvent, SecurityEventKind
from accounts.passkeys.models import Passkey
from accounts.recovery import tokens as reset_tokens
from tests.conftest import PASSWORD, LoggedIn, login
from tests.mfa.conftest import clock, enrol  # noqa: F401  (clock is a fixture)
from tests.passkeys import recording
from tests.passkeys.authenticator import SoftAuthenticator
from tests.passkeys.test_api import LOGIN, LOGIN_OPTIONS, register

pytestmark = pytest.mark.django_db

CONFIRM = "/api/auth/password-reset/confirm/"
NEW_PASSWORD = "a brand new passphrase for the owner"
REMOVED_SUBJECT = "Sign-in methods were removed from your Gatehouse account"


@pytest.fixture(autouse=True)
def site(relying_party):
    relying_party.EMAIL_URL = "smtp://127.0.0.1:1"
    return relying_party


@pytest.fixture
def attacker_key():
    return SoftAuthenticator(origin=recording.ORIGIN, seed=b"the attacker's key")


@pytest.fixture
def taken(make_user):
    """An account signed up with the victim's address by someone else, never verified."""
    account = make_user("victim", email="victim@example.com")
    assert account.email_verified_at is None
    return account


def logged_in_as(username, password=PASSWORD):
    device = APIClient()
    response = login(device, username, password)
    assert response.status_code == 200, response.content
    return LoggedIn(device, response)


def reset_password(user):
    """What the owner of the mailbox does: the mailed link's token, a new password."""
    user.refresh_from_db()
    response = APIClient().post(
        CONFIRM, {"token": reset_tokens.make_token(user), "new_password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 204, response.content


def passkey_sign_in(authenticator):
    client = APIClient()
    options = client.post(LOGIN_OPTIONS, format="json").json()
    return client.post(LOGIN, {"credential": authenticator.assertion(options)}, format="json")


def test_a_reset_ends_the_passkey_an_attacker_added_while_the_address_was_unverified(taken, attacker_key):
    # repro: the attacker signs up with the victim's unverified address and adds a passkey; the victim
    # resets the password by the mailed link: the attacker's passkey still signed in, and the victim's
    # login answered 202 ["passkey"] (locked out)
    attacker = logged_in_as("victim")
    assert register(attacker, attacker_key).status_code == 201
    assert passkey_sign_in(attacker_key).status_code == 200

    reset_password(taken)

    response = passkey_sign_in(attacker_key)
    assert response.status_code == 401 and response.json()["code"] == "passkey_invalid"
    owner = login(APIClient(), "victim", NEW_PASSWORD)
    assert owner.status_code == 200, owner.content
    assert not Passkey.objects.filter(user=taken).exists()
    taken.refresh_from_db()
    assert taken.mfa_enabled is False
    event = SecurityEvent.objects.get(kind=SecurityEventKind.PASSKEY_REMOVED, user=taken)
    assert event.reason == "password_reset"
    (notice,) = OutboxMessage.objects.filter(subject=REMOVED_SUBJECT)
    assert notice.to == "victim@example.com" and "Laptop" in notice.body_text


def test_a_reset_ends_an_authenticator_app_and_codes_added_while_unverified(taken, clock):
    attacker = logged_in_as("victim")
    enrol(attacker)
    assert RecoveryCode.objects.filter(user=taken).count() == 10

    reset_password(taken)

    assert not TotpDevice.objects.filter(user=taken).exists()
    assert not RecoveryCode.objects.filter(user=taken).exists()
    assert login(APIClient(), "victim", NEW_PASSWORD).status_code == 200
    assert SecurityEvent.objects.get(kind=SecurityEventKind.MFA_TOTP_REMOVED, user=taken).reason == "password_reset"
    (notice,) = OutboxMessage.objects.filter(subject=REMOVED_SUBJECT)
    assert "authenticator app" in notice.body_text and "recovery codes" in notice.body_text


def test_a_reset_keeps_the_factors_added_once_the_address_was_verified(taken, attacker_key):
    type(taken).objects.filter(pk=taken.pk).update(email_verified_at=timezone.now())
    owner = logged_in_as("victim")
    assert register(owner, attacker_key).status_code == 201

    reset_password(taken)

    assert Passkey.objects.filter(user=taken).count() == 1
    response = login(APIClient(), "victim", NEW_PASSWORD)
    assert response.status_code == 202 and response.json()["methods"] == ["passkey"]
    assert not OutboxMessage.objects.filter(subject=REMOVED_SUBJECT).exists()


def test_a_reset_with_nothing_added_while_unverified_sends_no_extra_notice(taken):
    reset_password(taken)

    assert not OutboxMessage.objects.filter(subject=REMOVED_SUBJECT).exists()
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.PASSKEY_REMOVED).exists()
