"""Tokens of the links that verify an address or confirm a change of address.

The ideas of ``accounts.recovery.tokens`` (nothing stored; an HMAC keyed
from ``SECRET_KEY`` over what must not have changed, and the issue time),
each purpose with its own salt, so no token of one kind passes for another:

- verify: ``<uid>.<issued>.<mac>``, the MAC over the user's id, address,
  ``email_verified_at``, ``email_link_generation`` and the issue time.
- change: ``<uid>.<issued>.<new address>.<mac>``, the new address in
  URL-safe base64, the MAC over the user's id, current address, new
  address, password hash, ``email_link_generation`` and the issue time.

Using either kind advances the user's ``email_link_generation``, which every
link issued before covers: a used link is dead for good, even after the
address has gone A→B→A and every other input of its MAC is as it was.
A password change kills change links too, and any change of address both kinds.

A token is accepted only in the one textual form issued (as refresh tokens
are): the id and the new address in unpadded URL-safe base64, the time in
lower-case base 36 without leading zeros, the MAC as 43 characters of
unpadded URL-safe base64. Padding, other cases, leading zeros or spaces make
it no token at all.

Both expire after ``EMAIL_VERIFICATION_TTL``.
"""
import binascii
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import base36_to_int, int_to_base36, urlsafe_base64_decode, urlsafe_base64_encode

from accounts import conf

VERIFY = "verify"
CHANGE = "change"
_SALTS = {VERIFY: "gatehouse.recovery.email-verify", CHANGE: "gatehouse.recovery.email-change"}
_MAX_TOKEN = 600
_CLOCK_SKEW = 60
_MAC_FORM = re.compile(r"[A-Za-z0-9_-]{43}")
_PK_MAX = 2**63


@dataclass(frozen=True)
class AddressToken:
    user: object
    purpose: str
    new_email: str | None = None


def make_verification_token(user, *, now=None) -> str:
    issued = _issued(now)
    return f"{_uid(user.pk)}.{int_to_base36(issued)}.{_mac(VERIFY, user, issued)}"


def make_change_token(user, new_email: str, *, now=None) -> str:
    issued = _issued(now)
    encoded = urlsafe_base64_encode(new_email.encode())
    return f"{_uid(user.pk)}.{int_to_base36(issued)}.{encoded}.{_mac(CHANGE, user, issued, new_email)}"


def read(token) -> AddressToken | None:
    """What a genuine, unexpired, still-valid token stands for; None for anything else."""
    if not isinstance(token, str) or len(token) > _MAX_TOKEN or token.count(".") not in (2, 3):
        return None
    parts = token.split(".")
    purpose = VERIFY if len(parts) == 3 else CHANGE
    uid, issued_b36, mac = parts[0], parts[1], parts[-1]
    if not _MAC_FORM.fullmatch(mac):
        return None
    try:
        pk = int(urlsafe_base64_decode(uid).decode("ascii"))
        issued = base36_to_int(issued_b36)
        new_email = urlsafe_base64_decode(parts[2]).decode() if purpose == CHANGE else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    # Only the spelling issued: every other one decodes to the same values but is not this string.
    if not 0 < pk < _PK_MAX or issued < 0 or uid != _uid(pk) or issued_b36 != int_to_base36(issued):
        return None
    if purpose == CHANGE and parts[2] != urlsafe_base64_encode(new_email.encode()):
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


def _uid(pk) -> str:
    return urlsafe_base64_encode(str(pk).encode())


def _mac(purpose, user, issued: int, new_email=None) -> str:
    generation = user.email_link_generation
    if purpose == VERIFY:
        verified = "" if user.email_verified_at is None else user.email_verified_at.isoformat()
        value = f"{user.pk}|{user.email}|{verified}|{generation}|{issued}"
    else:
        value = f"{user.pk}|{user.email}|{new_email}|{user.password}|{generation}|{issued}"
    digest = salted_hmac(_SALTS[purpose], value, algorithm="sha256").digest()
    return urlsafe_base64_encode(digest)
