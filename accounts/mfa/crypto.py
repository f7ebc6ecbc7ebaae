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
import base64
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.crypto import salted_hmac

_VERSION = "v1"
_NONCE_BYTES = 12
_ENCRYPTION_INFO = b"gatehouse.mfa.totp-secret.v1"


class DecryptionFailed(Exception):
    """The value was not encrypted with this server's key for this user (or was altered)."""


def _encryption_key(secret_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"gatehouse.mfa", info=_ENCRYPTION_INFO).derive(
        secret_key.encode()
    )


def _associated_data(user_id) -> bytes:
    return f"totp-secret:{user_id}".encode()


def encrypt_secret(secret: str, *, user_id) -> str:
    """``secret`` encrypted for the user ``user_id``, as text for a CharField."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_encryption_key(settings.SECRET_KEY)).encrypt(nonce, secret.encode(), _associated_data(user_id))
    return f"{_VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt_secret(value: str, *, user_id) -> str:
    """The secret ``encrypt_secret`` sealed for ``user_id``; raises ``DecryptionFailed`` otherwise."""
    version, _, payload = (value or "").partition(".")
    if version != _VERSION:
        raise DecryptionFailed
    try:
        raw = base64.urlsafe_b64decode(payload.encode())
    except ValueError:
        raise DecryptionFailed from None
    nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    for secret_key in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())):
        try:
            return AESGCM(_encryption_key(secret_key)).decrypt(nonce, sealed, _associated_data(user_id)).decode()
        except (InvalidTag, ValueError):
            continue
    raise DecryptionFailed


def keyed_digest(purpose: str, value: str) -> str:
    """HMAC-SHA256 of ``value`` under a key derived for ``purpose`` (hex, 64 characters)."""
    return salted_hmac(f"gatehouse.mfa.{purpose}", value, secret=settings.SECRET_KEY, algorithm="sha256").hexdigest()


def digests_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
