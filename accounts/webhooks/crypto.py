"""Webhook signing secrets, encrypted at rest as the TOTP secrets are (``accounts.mfa.crypto``).

The server must read the secret to sign, so it is encrypted, not hashed:
AES-256-GCM under a key derived by HKDF from ``DJANGO_SECRET_KEY`` (its own
``info``, so it is not the TOTP key), a random 96-bit nonce per value.
``SECRET_KEY_FALLBACKS`` are tried when decrypting, for key rotation.

A secret reads ``whsec_<base64>`` as Standard Webhooks has it: the signing
key is the bytes the base64 decodes to.
"""
import base64
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "whsec_"
_VERSION = "v1"
_NONCE_BYTES = 12
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


def _key(secret_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"gatehouse.webhooks", info=_INFO).derive(
        secret_key.encode()
    )


def seal(secret: str) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_key(settings.SECRET_KEY)).encrypt(nonce, secret.encode(), _ASSOCIATED_DATA)
    return f"{_VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def unseal(value: str) -> str:
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
            return AESGCM(_key(secret_key)).decrypt(nonce, sealed, _ASSOCIATED_DATA).decode()
        except (InvalidTag, ValueError):
            continue
    raise DecryptionFailed
