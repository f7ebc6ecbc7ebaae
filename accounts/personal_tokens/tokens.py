"""Personal-token crypto: mint, parse and check ``gat_<lookup>_<secret>``.

- ``gat_`` says "Gatehouse access token" to a secret scanner and to our own
  authentication, which tells it from a JWT (``eyJ…``) by its first bytes.
- ``lookup``: 16 lower-case hex digits (64 random bits), stored as-is, so
  authentication finds the row with one indexed query. Not a secret.
- ``secret``: 43 characters of base62 (256 bits); underscores never occur in
  it, so a double click selects the whole token.

The row keeps HMAC-SHA256 of the whole token, keyed with a key derived from
``SECRET_KEY`` (its own salt), never the token: a copy of the database alone
authenticates nothing. Exactly the form issued is accepted.
"""
import re
import secrets
import string

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

PREFIX = "gat_"
_SALT = "gatehouse.personal-access-token.v1"
_LOOKUP_BYTES = 8
_SECRET_LENGTH = 43  # 62 ** 43 > 2 ** 256
_ALPHABET = string.ascii_letters + string.digits
_FORM = re.compile(rf"{PREFIX}([0-9a-f]{{{2 * _LOOKUP_BYTES}}})_([0-9A-Za-z]{{{_SECRET_LENGTH}}})")
TOKEN_LENGTH = len(PREFIX) + 2 * _LOOKUP_BYTES + 1 + _SECRET_LENGTH


def new_lookup() -> str:
    return secrets.token_hex(_LOOKUP_BYTES)


def new_token(lookup: str) -> str:
    secret = "".join(secrets.choice(_ALPHABET) for _ in range(_SECRET_LENGTH))
    return f"{public_prefix(lookup)}_{secret}"


def public_prefix(lookup: str) -> str:
    return f"{PREFIX}{lookup}"


def digest(token: str) -> str:
    """What the row keeps: a keyed digest of the whole token."""
    return salted_hmac(_SALT, token, secret=settings.SECRET_KEY, algorithm="sha256").hexdigest()


def looks_like_personal_token(raw: bytes) -> bool:
    """Whether a bearer credential is ours to judge (anything else is left to the JWT authentication)."""
    return raw.startswith(PREFIX.encode())


def lookup_of(raw: str) -> str | None:
    """The lookup id of a token in the issued form; None for anything else."""
    match = _FORM.fullmatch(raw)
    return match.group(1) if match else None


def matches(stored_digest: str, token: str) -> bool:
    """Constant-time check of a presented token against a row's digest."""
    return constant_time_compare(stored_digest, digest(token))
