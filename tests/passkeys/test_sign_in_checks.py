"""A passkey sign-in passes the checks every way into an account shares (issue 19, item 3 b and c)."""
import pytest
from rest_framework.test import APIClient

from accounts.mail.models import OutboxMessage
from accounts.models import RefreshSession, SecurityEvent, SecurityEventKind
from tests.passkeys import recording
from tests.passkeys.authenticator import SoftAuthenticator
from tests.passkeys.test_api import LOGIN, LOGIN_OPTIONS, register

pytestmark = pytest.mark.django_db

NEW_DEVICE_SUBJECT = "New sign-in to your Gatehouse account"
CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)


@pytest.fixture(autouse=True)
def site(relying_party):
    return relying_party


@pytest.fixture
def authenticator():
    return SoftAuthenticator(origin=recording.ORIGIN)


@pytest.fixture
def with_passkey(logged_in, authenticator):
    response = register(logged_in, authenticator)
    assert response.status_code == 201, response.content
    return response.json()


def passkey_sign_in(authenticator, client):
    options = client.post(LOGIN_OPTIONS, format="json")
    assert options.status_code == 200, options.content
    return client.post(LOGIN, {"credential": authenticator.assertion(options.json())}, format="json")


def test_passkey_sign_in_of_an_unverified_account_is_refused_under_mandatory_verification(
    with_passkey, authenticator, user, settings
):
    # repro: SIGNUP_EMAIL_VERIFICATION=mandatory, an address never verified: the password login answers 403,
    # the passkey sign-in answered 200 with a session
    settings.GATEHOUSE = {**settings.GATEHOUSE, "SIGNUP_EMAIL_VERIFICATION": "mandatory"}
    assert user.email_verified_at is None
    sessions_before = RefreshSession.objects.count()

    response = passkey_sign_in(authenticator, APIClient())

    assert response.status_code == 403, response.content
    assert response.json()["code"] == "email_unverified" and response.json()["email"] == "alice@example.com"
    assert "access" not in response.json() and not response.cookies.get("refresh_token")
    assert RefreshSession.objects.count() == sessions_before
    assert SecurityEvent.objects.filter(
        kind=SecurityEventKind.LOGIN_FAILED, user=user, reason="email_unverified"
    ).exists()


def test_passkey_sign_in_of_a_verified_account_under_mandatory_verification_succeeds(
    with_passkey, authenticator, user, settings
):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "SIGNUP_EMAIL_VERIFICATION": "mandatory"}
    type(user).objects.filter(pk=user.pk).update(email_verified_at="2030-01-01T00:00:00Z")

    response = passkey_sign_in(authenticator, APIClient())

    assert response.status_code == 200, response.content


def test_passkey_sign_in_from_a_new_device_mails_the_new_device_notice(with_passkey, authenticator, user):
    # repro: the account's known device is the one it logged in from; a passkey sign-in from another
    # network and browser sent no notice (a password login from there does)
    response = passkey_sign_in(authenticator, APIClient(REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT=CHROME_MAC))

    assert response.status_code == 200, response.content
    (notice,) = OutboxMessage.objects.filter(subject=NEW_DEVICE_SUBJECT)
    assert notice.to == "alice@example.com"
    assert "Chrome on macOS" in notice.body_text and "198.51.100.7" in notice.body_text


def test_passkey_sign_in_from_a_known_device_sends_no_notice(with_passkey, authenticator):
    response = passkey_sign_in(authenticator, APIClient())  # the device the account logged in from

    assert response.status_code == 200, response.content
    assert not OutboxMessage.objects.filter(subject=NEW_DEVICE_SUBJECT).exists()


def test_the_gate_never_admits_an_inactive_user(user):
    from rest_framework.exceptions import AuthenticationFailed

    from accounts.limits.net import ClientInfo
    from accounts.signin import gate

    user.is_active = False
    with pytest.raises(AuthenticationFailed):
        gate.admit(user=user, client=ClientInfo("192.0.2.1", "test"), remember=True, methods=("hwk", "mfa"))
    assert not RefreshSession.objects.filter(user=user).exists()
