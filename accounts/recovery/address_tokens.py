"""Tokens of the links that verify an address or confirm a change of address.

The ideas of ``accounts.recovery.tokens`` (nothing stored; an HMAC keyed
from ``SECRET_KEY`` over what must not have changed, and the issue time),
each purpose with its own salt, so no token of one kind passes for another:

- verify: ``<uid>.<issued>.<mac>``, the MAC over the user's id, address,
  ``email_verified_at`` and the issue time. Using it sets
  ``email_verified_at``, which kills it (single use); a change of address
  kills it too.
- change: ``<uid>.<issued>.<new address>.<mac>``, the new address in
  URL-safe base64, the MAC over the user's id, current address, new
  address, password hash and the issue time. Using it changes the address,
  which kills it; so do a password change and any other change of address.

Both expire after ``EMAIL_VERIFICATION_TTL``.
"""
import binascii
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_str
from django.utils.http import base36_to_int, int_to_base36, urlsafe_base64_decode, urlsafe_base64_encode

from accounts import conf

VERIFY = "verify"
CHANGE = "change"
_SALTS = {VERIFY: "gatehouse.recovery.email-verify", CHANGE: "gatehouse.recovery.email-change"}
_MAX_TOKEN = 600
_CLOCK_SKEW = 60


@dataclass(frozen=True)
class AddressToken:
    user: object
    purpose: str
    new_email: str | None = None


def make_verification_token(user, *, now=None) -> str:
    issued = _issued(now)
    return f"{_uid(user)}.{int_to_base36(issued)}.{_mac(VERIFY, user, issued)}"


def make_change_token(user, new_email: str, *, now=None) -> str:
    issued = _issued(now)
    encoded = urlsafe_base64_encode(new_email.encode())
    return f"{_uid(user)}.{int_to_base36(issued)}.{encoded}.{_mac(CHANGE, user, issued, new_email)}"


def read(token) -> AddressToken | None:
    """What a genuine, unexpired, still-valid token stands for; None for anything else."""
    if not isinstance(token, str) or len(token) > _MAX_TOKEN or token.count(".") not in (2, 3):
        return None
    parts = token.split(".")
    purpose = VERIFY if len(parts) == 3 else CHANGE
    uid, issued_b36, mac = parts[0], parts[1], parts[-1]
    try:
        pk = force_str(urlsafe_base64_decode(uid))
        issued = base36_to_int(issued_b36)
        new_email = force_str(urlsafe_base64_decode(parts[2])) if purpose == CHANGE else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    age = timezone.now().timestamp() - issued
    if age < -_CLOCK_SKEW or age > conf.email_verification_ttl().total_seconds():
        return None
    try:
        user = get_user_model()._default_manager.filter(pk=pk, is_active=True).first()
    except (ValueError, TypeError, OverflowError):
        return None
    if user is None or not constant_time_compare(mac, _mac(purpose, user, issued, new_email)):
        return None
    return AddressToken(user=user, purpose=purpose, new_email=new_email)


def _issued(now) -> int:
    return int((now or timezone.now()).timestamp())


def _uid(user) -> str:
    return urlsafe_base64_encode(str(user.pk).encode())


def _mac(purpose, user, issued: int, new_email=None) -> str:
    if purpose == VERIFY:
        verified = "" if user.email_verified_at is None else user.email_verified_at.isoformat()
        value = f"{user.pk}|{user.email}|{verified}|{issued}"
    else:
        value = f"{user.pk}|{user.email}|{new_email}|{user.password}|{issued}"
    digest = salted_hmac(_SALTS[purpose], value, algorithm="sha256").digest()
    return urlsafe_base64_encode(digest)
