"""Secrets sealed at rest (TOTP secrets, webhook signing secrets) share one format and keep opening.

The two values below were sealed before both kinds moved onto
``accounts.sealing``: a change of the format or of a kind's key derivation
would lock every enrolled authenticator and every webhook endpoint out.
"""
import pytest
from django.test import override_settings

from accounts import sealing
from accounts.mfa import crypto as mfa_crypto
from accounts.webhooks import crypto as webhook_crypto

KEY = "sealing-test-key-" + "x" * 40
TOTP_SEALED_FOR_USER_7 = "v1.gZSbZ1zdt_lrU9z55A8bOYb8obXjpk1w7YeJ2HoQVYU5gze_wFl1wrBI7No="
WEBHOOK_SEALED = (
    "v1.ByRqTljFBr2ORO4HL7UtePCWzOoPooxgV4T5HXQy3qD6z5P7qIkBYFAoX4B1njHzKKhuUtu9Qosi5mqzrTxKecQJ"
)


@override_settings(SECRET_KEY=KEY)
def test_values_sealed_before_still_open():
    assert mfa_crypto.decrypt_secret(TOTP_SEALED_FOR_USER_7, user_id=7) == "JBSWY3DPEHPK3PXP"
    assert webhook_crypto.unseal(WEBHOOK_SEALED) == "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@override_settings(SECRET_KEY=KEY)
def test_a_value_does_not_open_for_another_user_another_kind_or_once_altered():
    with pytest.raises(mfa_crypto.DecryptionFailed):
        mfa_crypto.decrypt_secret(TOTP_SEALED_FOR_USER_7, user_id=8)
    with pytest.raises(webhook_crypto.DecryptionFailed):
        webhook_crypto.unseal(TOTP_SEALED_FOR_USER_7)
    altered = TOTP_SEALED_FOR_USER_7[:-3] + ("A" if TOTP_SEALED_FOR_USER_7[-3] != "A" else "B") + "o="
    with pytest.raises(mfa_crypto.DecryptionFailed):
        mfa_crypto.decrypt_secret(altered, user_id=7)


def test_a_rotated_key_in_the_fallbacks_still_opens():
    with override_settings(SECRET_KEY=KEY):
        sealed = sealing.seal("s", salt=b"t", info=b"i", associated_data=b"a")
    with override_settings(SECRET_KEY="a new key " + "y" * 40, SECRET_KEY_FALLBACKS=[KEY]):
        assert sealing.unseal(sealed, salt=b"t", info=b"i", associated_data=b"a") == "s"
    with override_settings(SECRET_KEY="a new key " + "y" * 40, SECRET_KEY_FALLBACKS=[]), pytest.raises(sealing.CannotUnseal):
        sealing.unseal(sealed, salt=b"t", info=b"i", associated_data=b"a")
