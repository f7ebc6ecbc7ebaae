"""Password-reset tokens: one opaque URL-safe string, ``<uid>.<timestamp>.<mac>``.

Like Django's ``PasswordResetTokenGenerator``, nothing is stored: the MAC
(HMAC-SHA256 keyed from ``SECRET_KEY``, with its own salt) covers the user's
primary key, password hash, last login, email and the issue time. So the
token dies when the password changes (which also makes it single-use: using
it sets a new password), when the user logs in or changes address, and after
``PASSWORD_RESET_TTL``. ``uid`` is the primary key in URL-safe base64, the
timestamp whole seconds since the epoch in base 36.

A token is accepted only in the one textual form issued, as refresh tokens
are: the id in unpadded URL-safe base64 of its decimal digits, the time in
lower-case base 36 without leading zeros, the MAC as 43 characters of
unpadded URL-safe base64. ``=`` padding, upper case, leading zeros, spaces
or signs make it no token at all, however well the rest decodes.
"""
import base64
import binascii
import re

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import base36_to_int, int_to_base36

from accounts import conf

_SALT = "gatehouse.recovery.password-reset"
_MAX_TOKEN = 200
_MAC_FORM = re.compile(r"[A-Za-z0-9_-]{43}")
_PK_MAX = 2**63


def make_token(user, *, now=None) -> str:
    issued = int((now or timezone.now()).timestamp())
    return f"{_uid(user.pk)}.{int_to_base36(issued)}.{_mac(user, issued)}"


def user_for_token(token) -> object | None:
    """The active user a genuine, unexpired, still-valid token belongs to; None for anything else."""
    if not isinstance(token, str) or len(token) > _MAX_TOKEN or token.count(".") != 2:
        return None
    uid, issued_b36, mac = token.split(".")
    if not _MAC_FORM.fullmatch(mac):
        return None
    try:
        pk = int(base64.urlsafe_b64decode(uid + "=" * (-len(uid) % 4)).decode("ascii"))
        issued = base36_to_int(issued_b36)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    # Only the spelling issued: every other one decodes to the same values but is not this string.
    if not 0 < pk < _PK_MAX or issued < 0 or uid != _uid(pk) or issued_b36 != int_to_base36(issued):
        return None
    age = timezone.now().timestamp() - issued
    if age < -60 or age > conf.password_reset_ttl().total_seconds():
        return None
    User = get_user_model()
    try:
        user = User._default_manager.filter(pk=pk, is_active=True).first()
    except (ValueError, TypeError, OverflowError):
        return None
    if user is None or not constant_time_compare(mac, _mac(user, issued)):
        return None
    return user


def _uid(pk) -> str:
    return base64.urlsafe_b64encode(str(pk).encode()).decode().rstrip("=")


def _mac(user, issued: int) -> str:
    last_login = "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None).isoformat()
    value = f"{user.pk}|{user.password}|{last_login}|{user.email}|{issued}"
    digest = salted_hmac(_SALT, value, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
