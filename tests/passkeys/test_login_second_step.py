"""A passkey as the second step of a login, over HTTP (the flows themselves: test_second_step.py)."""
import jwt
import pytest
from rest_framework.test import APIClient

from accounts.models import SecurityEvent, SecurityEventKind
from tests.conftest import login
from tests.passkeys import recording
from tests.passkeys.authenticator import SoftAuthenticator
from tests.passkeys.test_api import confirm_with_passkey, register

pytestmark = pytest.mark.django_db

OPTIONS = "/api/auth/login/mfa/passkey/options/"
SECOND_STEP = "/api/auth/login/mfa/"


@pytest.fixture(autouse=True)
def site(relying_party):
    return relying_party


@pytest.fixture
def authenticator(logged_in):
    key = SoftAuthenticator(origin=recording.ORIGIN)
    assert register(logged_in, key).status_code == 201
    return key


def first_step(client):
    response = login(client)
    assert response.status_code == 202, response.content
    body = response.json()
    assert "passkey" in body["methods"]
    return body["mfa_token"]


def test_a_password_then_the_passkey_signs_in_with_both_methods(authenticator, user):
    device = APIClient()
    token = first_step(device)
    options = device.post(OPTIONS, {"mfa_token": token}, format="json")
    assert options.status_code == 200, options.content

    response = device.post(SECOND_STEP, {"mfa_token": token, "credential": authenticator.assertion(options.json())},
                           format="json")

    assert response.status_code == 200, response.content
    assert jwt.decode(response.json()["access"], options={"verify_signature": False})["amr"] == ["pwd", "hwk"]
    assert "refresh_token" in response.cookies


def test_a_password_alone_no_longer_signs_in_once_a_passkey_is_registered(authenticator):
    response = login(APIClient())

    assert response.status_code == 202
    assert "access" not in response.json()


def test_an_answer_to_another_attempts_options_is_refused_and_the_token_stays_usable(authenticator):
    # repro: options fetched for attempt A, the signed answer sent with attempt B's mfa_token
    device = APIClient()
    first, second = first_step(device), first_step(device)
    options_for_first = device.post(OPTIONS, {"mfa_token": first}, format="json").json()

    wrong = device.post(SECOND_STEP, {"mfa_token": second, "credential": authenticator.assertion(options_for_first)},
                        format="json")

    assert wrong.status_code == 401 and wrong.json()["code"] == "code_invalid"
    options = device.post(OPTIONS, {"mfa_token": second}, format="json").json()
    right = device.post(SECOND_STEP, {"mfa_token": second, "credential": authenticator.assertion(options)},
                        format="json")
    assert right.status_code == 200, right.content


def test_a_replayed_answer_does_not_sign_in_twice(authenticator):
    device = APIClient()
    token = first_step(device)
    options = device.post(OPTIONS, {"mfa_token": token}, format="json").json()
    credential = authenticator.assertion(options)
    assert device.post(SECOND_STEP, {"mfa_token": token, "credential": credential}, format="json").status_code == 200

    again = APIClient()
    replay = again.post(SECOND_STEP, {"mfa_token": first_step(again), "credential": credential}, format="json")

    assert replay.status_code == 401


def test_options_need_a_live_mfa_token(authenticator):
    response = APIClient().post(OPTIONS, {"mfa_token": "x" * 40}, format="json")

    assert response.status_code == 401 and response.json()["code"] == "mfa_token_invalid"


def test_a_code_and_a_credential_together_are_a_400(authenticator):
    device = APIClient()
    response = device.post(SECOND_STEP, {"mfa_token": first_step(device), "code": "123456", "credential": {}},
                           format="json")

    assert response.status_code == 400


def test_removing_the_last_passkey_makes_the_password_enough_again(authenticator, logged_in, user):
    (passkey,) = logged_in.get("/api/auth/passkeys/").json()
    confirm_with_passkey(logged_in, authenticator)  # removing a factor needs one (issue 19, item 5)
    assert logged_in.delete(f"/api/auth/passkeys/{passkey['id']}/").status_code == 204

    assert login(APIClient()).status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSKEY_REMOVED).count() == 1


def test_trust_device_at_a_passkey_second_step_lets_the_next_password_login_skip_it(authenticator):
    """The passkey second step takes "trust this device" as the code does; the next password login is ["pwd"]."""
    from accounts.devices.trusted import COOKIE

    device = APIClient()
    token = first_step(device)
    options = device.post(OPTIONS, {"mfa_token": token}, format="json").json()
    response = device.post(
        SECOND_STEP, {"mfa_token": token, "credential": authenticator.assertion(options), "trust_device": True},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert COOKIE in response.cookies
    again = login(device)
    assert again.status_code == 200, again.content
    assert jwt.decode(again.json()["access"], options={"verify_signature": False})["amr"] == ["pwd"]
