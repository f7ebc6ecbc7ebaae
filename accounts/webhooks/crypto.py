"""Webhook signing secrets, encrypted at rest as the TOTP secrets are (``accounts.mfa.crypto``).

The server must read the secret to sign, so it is encrypted, not hashed:
AES-256-GCM under a key derived by HKDF from ``DJANGO_SECRET_KEY`` (its own
``info``, so it is not the TOTP key), a random 96-bit nonce per value.
``SECRET_KEY_FALLBACKS`` are tried when decrypting, for key rotation.

A secret reads ``whsec_<base64>`` as Standard Webhooks has it: the signing
key is the bytes the base64 decodes to.
"""
import base64
import secrets

from accounts import sealing

PREFIX = "whsec_"
_SALT = b"gatehouse.webhooks"
_INFO = b"gatehouse.webhooks.endpoint-secret.v1"
_ASSOCIATED_DATA = b"webhook-endpoint-secret"


class DecryptionFailed(Exception):
    """The value was not sealed with this server's key (or was altered)."""


def new_secret() -> str:
    """A fresh ``whsec_`` secret of 32 random bytes."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def check_secret(secret: str) -> str:
    """``secret`` if it is a usable ``whsec_<base64>`` of 24 to 64 bytes; ValueError otherwise."""
    body = secret[len(PREFIX):] if secret.startswith(PREFIX) else ""
    try:
        raw = base64.b64decode(body, validate=True)
    except ValueError:
        raw = b""
    if not 24 <= len(raw) <= 64:
        raise ValueError("A webhook secret reads whsec_ followed by 24 to 64 bytes in base64.")
    return secret


def seal(secret: str) -> str:
    return sealing.seal(secret, salt=_SALT, info=_INFO, associated_data=_ASSOCIATED_DATA)


def unseal(value: str) -> str:
    try:
        return sealing.unseal(value, salt=_SALT, info=_INFO, associated_data=_ASSOCIATED_DATA)
    except sealing.CannotUnseal:
        raise DecryptionFailed from None
