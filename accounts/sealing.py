"""Secrets the server must read back (a TOTP secret, a webhook signing secret), sealed at rest.

AES-256-GCM under a key derived (HKDF-SHA256) from ``DJANGO_SECRET_KEY``
with a salt and info of the caller's own, so each kind of secret has its key;
the associated data binds a sealed value to what it belongs to (a user, an
endpoint's role), so a value copied to another row does not open. Stored as
``v1.<urlsafe base64 of nonce + ciphertext>``. Values sealed under a key in
``SECRET_KEY_FALLBACKS`` still open, so the secret key can be rotated.
"""
import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_VERSION = "v1"
_NONCE_BYTES = 12


class CannotUnseal(Exception):
    """The value was not sealed with this server's key for this purpose (or was altered)."""


def seal(plaintext: str, *, salt: bytes, info: bytes, associated_data: bytes) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_key(settings.SECRET_KEY, salt, info)).encrypt(nonce, plaintext.encode(), associated_data)
    return f"{_VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def unseal(value: str, *, salt: bytes, info: bytes, associated_data: bytes) -> str:
    version, _, payload = (value or "").partition(".")
    if version != _VERSION:
        raise CannotUnseal
    try:
        raw = base64.urlsafe_b64decode(payload.encode())
    except ValueError:
        raise CannotUnseal from None
    nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    for secret_key in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())):
        try:
            return AESGCM(_key(secret_key, salt, info)).decrypt(nonce, sealed, associated_data).decode()
        except (InvalidTag, ValueError):
            continue
    raise CannotUnseal


def _key(secret_key: str, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret_key.encode())
