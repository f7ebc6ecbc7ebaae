"""The authenticator app: enrol, confirm, remove; codes once each, ±1 step of drift; the secret encrypted at rest."""
import base64
import re
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest
from django.test import override_settings

from accounts.mail.models import OutboxMessage
from accounts.mfa import crypto, totp
from accounts.mfa.models import RecoveryCode, TotpDevice
from accounts.models import SecurityEvent, SecurityEventKind
from tests.conftest import login
from tests.mfa.conftest import STEP, code_at, confirm_with_code, enrol

pytestmark = pytest.mark.django_db

TOTP = "/api/auth/mfa/totp/"
CONFIRM = "/api/auth/mfa/totp/confirm/"


def test_enrol_answers_the_secret_its_uri_and_a_qr_code_and_stays_pending_until_confirmed(clock, logged_in, client):
    # repro: POST /api/auth/mfa/totp/ gives what an authenticator app needs; the login is unchanged until a code confirms it
    response = logged_in.post(TOTP)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"secret", "otpauth_uri", "qr_svg"}
    assert re.fullmatch(r"[A-Z2-7]{32}", body["secret"])
    uri = urlparse(body["otpauth_uri"])
    assert (uri.scheme, uri.netloc, uri.path) == ("otpauth", "totp", "/Gatehouse:alice")
    assert parse_qs(uri.query) == {"secret": [body["secret"]], "issuer": ["Gatehouse"]}
    assert body["qr_svg"].startswith("data:image/svg+xml")
    assert response["Cache-Control"] == "no-store"
    assert logged_in.get("/api/auth/mfa/").json()["totp"] == {
        "enabled": False, "pending": True, "confirmed_at": None, "last_used_at": None,
    }
    assert login(client).status_code == 200


def test_a_second_enrolment_before_confirming_replaces_the_pending_secret(clock, logged_in):
    first = logged_in.post(TOTP).json()["secret"]
    second = logged_in.post(TOTP).json()["secret"]

    assert first != second
    assert TotpDevice.objects.count() == 1
    assert logged_in.post(CONFIRM, {"code": code_at(first)}).status_code == 400
    assert logged_in.post(CONFIRM, {"code": code_at(second)}).status_code == 200


def test_confirm_with_a_wrong_code_is_400_code_invalid_and_changes_nothing(clock, logged_in, client):
    secret = logged_in.post(TOTP).json()["secret"]
    wrong = "000000" if code_at(secret) != "000000" else "111111"

    response = logged_in.post(CONFIRM, {"code": wrong})

    assert response.status_code == 400
    assert response.json()["code"] == "code_invalid"
    assert login(client).status_code == 200
    assert RecoveryCode.objects.count() == 0


def test_confirm_without_a_pending_enrolment_is_400(clock, logged_in):
    response = logged_in.post(CONFIRM, {"code": "123456"})

    assert response.status_code == 400
    assert response.json()["code"] == "code_invalid"


def test_confirming_answers_ten_recovery_codes_and_the_next_login_needs_a_code(clock, logged_in, client):
    # repro: after confirming, a right password alone no longer signs in
    enrolled = enrol(logged_in)

    assert len(enrolled.recovery_codes) == 10
    response = login(client)
    assert response.status_code == 202
    assert logged_in.get("/api/auth/mfa/").json()["enabled"] is True
    (event,) = SecurityEvent.objects.filter(kind=SecurityEventKind.MFA_TOTP_ADDED)
    assert event.user.username == "alice"
    (mail,) = OutboxMessage.objects.filter(subject__icontains="authenticator app was added")
    assert mail.to == "alice@example.com"


def test_enrolling_twice_is_a_409_while_an_app_is_set_up(clock, logged_in):
    confirm_with_code(enrol(logged_in))

    response = logged_in.post(TOTP)

    assert response.status_code == 409
    assert response.json()["code"] == "totp_already_enabled"


def test_enrol_remove_and_regenerate_need_a_recent_authentication(clock, logged_in):
    # repro: an access token of a session authenticated more than REAUTH_MAX_AGE ago cannot change a factor
    enrolled = enrol(logged_in)
    clock.shift(301)
    assert logged_in.refresh().status_code == 200  # a valid access token, an old authentication

    for method, path in (("post", TOTP), ("delete", TOTP), ("post", "/api/auth/mfa/recovery-codes/")):
        response = getattr(logged_in, method)(path)
        assert response.status_code == 403, path
        assert response.json()["code"] == "reauthentication_required"
    assert TotpDevice.objects.filter(confirmed_at__isnull=False).count() == 1
    assert RecoveryCode.objects.filter(used_at__isnull=True).count() == 10
    assert enrolled.recovery_codes  # unchanged set


def test_an_enrolment_right_at_the_limit_still_counts_as_recent(clock, logged_in):
    clock.shift(299)
    assert logged_in.refresh().status_code == 200
    clock.shift(1)

    assert logged_in.post(TOTP).status_code == 200


def test_removing_the_app_turns_two_step_sign_in_off_and_drops_the_recovery_codes(clock, logged_in, client):
    confirm_with_code(enrol(logged_in))

    response = logged_in.delete(TOTP)

    assert response.status_code == 204
    assert TotpDevice.objects.count() == 0
    assert RecoveryCode.objects.count() == 0
    assert login(client).status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.MFA_TOTP_REMOVED).count() == 1
    assert OutboxMessage.objects.filter(subject__icontains="authenticator app was removed").count() == 1
    assert logged_in.delete(TOTP).status_code == 404


def test_removing_a_pending_app_cancels_it_without_a_notice(clock, logged_in):
    logged_in.post(TOTP)

    assert logged_in.delete(TOTP).status_code == 204
    assert TotpDevice.objects.count() == 0
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.MFA_TOTP_REMOVED).exists()


# --- codes ----------------------------------------------------------------------


@pytest.fixture
def device(clock, logged_in):
    enrolled = enrol(logged_in)
    return TotpDevice.objects.get(), enrolled.secret


def test_a_code_is_accepted_once_even_inside_its_window(clock, device):
    # repro: the same 6 digits sent twice within their 30 s (or 90 s with drift) sign in only once
    row, secret = device
    clock.shift(STEP)
    code = code_at(secret)

    assert totp.verify(user=row.user, code=code)
    assert not totp.verify(user=row.user, code=code)
    clock.shift(STEP)  # the same code, still inside the drift window one step later
    assert not totp.verify(user=row.user, code=code)


def test_a_code_of_an_earlier_step_is_refused_after_a_later_one_was_used(clock, device):
    # repro: using the code of step n+1 (drift) must not leave the code of step n usable
    row, secret = device
    clock.shift(2 * STEP)
    earlier, later = code_at(secret, clock_time() - STEP), code_at(secret, clock_time() + STEP)

    assert totp.verify(user=row.user, code=later)
    assert not totp.verify(user=row.user, code=earlier)
    assert not totp.verify(user=row.user, code=code_at(secret))


def clock_time():
    import time

    return time.time()


@pytest.mark.parametrize("offset, accepted", [(-2, False), (-1, True), (0, True), (1, True), (2, False)])
def test_one_step_of_clock_drift_either_way_is_accepted_two_are_not(clock, device, offset, accepted):
    row, secret = device
    clock.shift(5 * STEP)  # well past the step spent by the confirmation

    assert totp.verify(user=row.user, code=code_at(secret, clock_time() + offset * STEP)) is accepted


@pytest.mark.parametrize("typed", ["{} {}", "{}-{}", " {}{} "])
def test_a_code_may_be_typed_with_a_space_or_a_dash(clock, device, typed):
    row, secret = device
    clock.shift(STEP)
    code = code_at(secret)

    assert totp.verify(user=row.user, code=typed.format(code[:3], code[3:]))


@pytest.mark.parametrize("junk", ["", "12345", "1234567", "abcdef", "１２３４５６", "12345\u0660", None, 123456])
def test_anything_but_six_ascii_digits_is_no_code(clock, device, junk):
    row, _ = device

    assert not totp.verify(user=row.user, code=junk)


def test_every_step_of_the_window_is_compared_in_constant_time(clock, device, monkeypatch):
    # repro: the check must not stop at the first matching step, nor compare with ==
    row, secret = device
    clock.shift(STEP)
    seen = []
    real = totp.hmac.compare_digest
    monkeypatch.setattr(totp.hmac, "compare_digest", lambda a, b: seen.append((a, b)) or real(a, b))

    totp.verify(user=row.user, code=code_at(secret, clock_time() - STEP))

    assert len(seen) == 3


# --- the secret at rest ------------------------------------------------------------


def test_the_stored_secret_is_not_the_secret_and_needs_the_server_key(clock, device, settings):
    # repro: a database dump alone must yield no code
    row, secret = device
    stored = row.encrypted_secret

    assert secret not in stored and secret.lower() not in stored
    assert base64.b32decode(secret).hex() not in stored
    assert crypto.decrypt_secret(stored, user_id=row.user_id) == secret
    with override_settings(SECRET_KEY="another-" + "k" * 50):
        with pytest.raises(crypto.DecryptionFailed):
            crypto.decrypt_secret(stored, user_id=row.user_id)
        clock.shift(STEP)
        assert not totp.verify(user=row.user, code=code_at(secret))  # and no login with it either


def test_the_ciphertext_belongs_to_its_user(clock, device):
    # repro: copying one user's encrypted secret onto another's row does not decrypt
    row, _ = device

    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt_secret(row.encrypted_secret, user_id=row.user_id + 1)


def test_each_encryption_uses_a_fresh_nonce():
    sealed = {crypto.encrypt_secret("JBSWY3DPEHPK3PXP", user_id=1) for _ in range(5)}

    assert len(sealed) == 5
    assert all(crypto.decrypt_secret(value, user_id=1) == "JBSWY3DPEHPK3PXP" for value in sealed)


def test_the_old_key_in_secret_key_fallbacks_still_decrypts(clock, device, settings):
    row, secret = device
    old = settings.SECRET_KEY

    with override_settings(SECRET_KEY="rotated-" + "r" * 50, SECRET_KEY_FALLBACKS=[old]):
        assert crypto.decrypt_secret(row.encrypted_secret, user_id=row.user_id) == secret


@pytest.mark.parametrize("garbage", ["", "v1.", "v1.!!!", "v2.AAAA", "v1." + "A" * 40, "plain"])
def test_garbage_never_decrypts(garbage):
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt_secret(garbage, user_id=1)


def test_pyotp_computes_the_same_codes_as_the_app():
    # The URI an app reads gives the codes the server checks (SHA-1, 6 digits, 30 s).
    secret = pyotp.random_base32()
    uri = totp.provisioning_uri(secret=secret, user=type("U", (), {"get_username": lambda self: "bob"})())

    assert pyotp.parse_uri(uri).now() == pyotp.TOTP(secret).now()
