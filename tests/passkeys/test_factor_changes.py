"""Changing the factors of a passkey account: the recovery codes go with the last factor (issue 19, item 4)."""
import pytest

from accounts.mfa.models import RecoveryCode
from tests.passkeys import recording
from tests.passkeys.authenticator import SoftAuthenticator
from tests.passkeys.test_api import PASSKEYS, REAUTH, REAUTH_OPTIONS, register

pytestmark = pytest.mark.django_db

RECOVERY_CODES = "/api/auth/mfa/recovery-codes/"


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


def confirm_with_passkey(device, authenticator):
    """Re-authenticate ``device``'s session with its passkey (amr hwk): the level a factor change needs."""
    options = device.post(REAUTH_OPTIONS)
    assert options.status_code == 200, options.content
    response = device.post(REAUTH, {"credential": authenticator.assertion(options.json())})
    assert response.status_code == 200, response.content
    device.access = response.json()["access"]


def test_removing_the_only_passkey_removes_the_recovery_codes(with_passkey, logged_in, authenticator, user):
    # repro: a passkey, then ten recovery codes; the only passkey removed: the ten codes stayed and still
    # re-authenticated (amr ["otp"]) and completed a second step later
    confirm_with_passkey(logged_in, authenticator)
    codes = logged_in.post(RECOVERY_CODES)
    assert codes.status_code == 200, codes.content
    code = codes.json()["recovery_codes"][0]

    removed = logged_in.delete(f"{PASSKEYS}{with_passkey['id']}/")

    assert removed.status_code == 204, removed.content
    assert not RecoveryCode.objects.filter(user=user).exists()
    user.refresh_from_db()
    assert user.mfa_enabled is False
    response = logged_in.post(REAUTH, {"code": code})
    assert response.status_code == 400 and response.json()["code"] == "code_invalid"
    assert logged_in.get("/api/auth/mfa/").json()["recovery_codes"]["remaining"] == 0


def test_removing_one_of_two_passkeys_keeps_the_recovery_codes(with_passkey, logged_in, authenticator, user):
    second = register(logged_in, SoftAuthenticator(origin=recording.ORIGIN, seed=b"another key"), name="Phone")
    assert second.status_code == 201, second.content
    confirm_with_passkey(logged_in, authenticator)
    assert logged_in.post(RECOVERY_CODES).status_code == 200

    assert logged_in.delete(f"{PASSKEYS}{second.json()['id']}/").status_code == 204

    assert RecoveryCode.objects.filter(user=user).count() == 10
