"""Changing the factors of a passkey account: the recovery codes go with the last factor (issue 19, item 4)."""
import pytest

from accounts.mfa.models import RecoveryCode
from tests.conftest import PASSWORD
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
    confirm_with_passkey(logged_in, authenticator)
    second = register(logged_in, SoftAuthenticator(origin=recording.ORIGIN, seed=b"another key"), name="Phone")
    assert second.status_code == 201, second.content
    confirm_with_passkey(logged_in, authenticator)
    assert logged_in.post(RECOVERY_CODES).status_code == 200

    assert logged_in.delete(f"{PASSKEYS}{second.json()['id']}/").status_code == 204

    assert RecoveryCode.objects.filter(user=user).count() == 10


def test_a_password_alone_does_not_remove_a_passkey_or_add_another(with_passkey, logged_in, authenticator):
    # repro (issue 19, item 5): with a passkey on, a re-authentication with the password (amr ["pwd"])
    # was enough to remove it
    response = logged_in.post(REAUTH, {"password": PASSWORD})
    assert response.status_code == 200
    logged_in.access = response.json()["access"]

    removed = logged_in.delete(f"{PASSKEYS}{with_passkey['id']}/")
    options = logged_in.post("/api/auth/passkeys/options/")

    assert removed.status_code == options.status_code == 403
    assert removed.json()["code"] == "reauthentication_required" and removed.json()["methods"] == ["passkey"]
    renamed = logged_in.client.patch(
        f"{PASSKEYS}{with_passkey['id']}/", {"name": "Renamed"}, format="json", **logged_in.bearer
    )
    assert renamed.status_code == 200  # a name changes no factor
    confirm_with_passkey(logged_in, authenticator)
    assert logged_in.delete(f"{PASSKEYS}{with_passkey['id']}/").status_code == 204
