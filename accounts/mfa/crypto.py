"""Keys derived from ``DJANGO_SECRET_KEY`` for second factors: encryption and keyed digests.

The TOTP secret must be readable by the server (it computes the codes), so
it is encrypted, not hashed: AES-256-GCM with a key derived by HKDF from the
server secret, a random 96-bit nonce per value, and the owner's id as
associated data, so a ciphertext copied onto another user's row does not
decrypt. Recovery codes and ``mfa_token`` values only need to be recognised,
so they are kept as HMAC-SHA256 digests under their own derived keys.

``SECRET_KEY_FALLBACKS`` are tried when decrypting, so a key rotation that
keeps the old key there keeps the authenticators working.
"""
import hmac

from django.conf import settings
from django.utils.crypto import salted_hmac

from accounts import sealing

_SALT = b"gatehouse.mfa"
_ENCRYPTION_INFO = b"gatehouse.mfa.totp-secret.v1"


class DecryptionFailed(Exception):
    """The value was not encrypted with this server's key for this user (or was altered)."""


def _associated_data(user_id) -> bytes:
    return f"totp-secret:{user_id}".encode()


def encrypt_secret(secret: str, *, user_id) -> str:
    """``secret`` encrypted for the user ``user_id``, as text for a CharField."""
    return sealing.seal(secret, salt=_SALT, info=_ENCRYPTION_INFO, associated_data=_associated_data(user_id))


def decrypt_secret(value: str, *, user_id) -> str:
    """The secret ``encrypt_secret`` sealed for ``user_id``; raises ``DecryptionFailed`` otherwise."""
    try:
        return sealing.unseal(value, salt=_SALT, info=_ENCRYPTION_INFO, associated_data=_associated_data(user_id))
    except sealing.CannotUnseal:
        raise DecryptionFailed from None


def keyed_digest(purpose: str, value: str) -> str:
    """HMAC-SHA256 of ``value`` under a key derived for ``purpose`` (hex, 64 characters)."""
    return salted_hmac(f"gatehouse.mfa.{purpose}", value, secret=settings.SECRET_KEY, algorithm="sha256").hexdigest()


def digests_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
