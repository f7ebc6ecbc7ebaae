"""Browsers trusted to skip the second step: mint the cookie's token, recognise it, list, end.

The cookie holds ``<id>.<secret>``: the id (32 lower-case hex digits) names
the row, the secret (256 random bits, 43 characters of unpadded urlsafe
base64) proves the browser. The row keeps an HMAC of both, keyed from
``DJANGO_SECRET_KEY`` (like refresh tokens): a copy of the database alone
trusts no browser. A token is recognised only for the account it was made
for, before it expires, with the password of the day it was made (so a
password change or reset ends every one without a write), and compared in
constant time. Anything else, a garbled or forged cookie included, is no
trusted device: the login asks for the second step as usual.

What it skips is the second step of a *password* login, nothing else: it
never counts as a factor (``amr`` stays ``["pwd"]``), so changing a factor
still asks for a code or a passkey. Every change of a factor ends them all
(``accounts.mfa.factors`` calls ``end_all``).
"""
import base64
import re
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts import conf
from accounts.devices.models import TrustedDevice

_SALT = "gatehouse.trusted-device.v1"
_FORM = re.compile(r"([0-9a-f]{32})\.([A-Za-z0-9_-]{43})")
_MAX_LENGTH = 128
# The cookie's name; scoped to /api/auth/ (the login reads it), HttpOnly, SameSite and Domain as the refresh cookie.
COOKIE = "trusted_device"


def enabled() -> bool:
    return conf.mfa_trust_days() > 0


def lifetime() -> timedelta:
    return timedelta(days=conf.mfa_trust_days())


def trust(*, user, client) -> str | None:
    """Remember this browser for ``user``; answers the cookie's value (None when ``MFA_TRUST_DAYS`` is 0)."""
    if not enabled():
        return None
    device_id = uuid.uuid4()
    secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode("ascii")
    now = timezone.now()
    TrustedDevice.objects.create(
        id=device_id,
        user=user,
        digest=_digest(device_id, secret),
        password_fingerprint=user.get_session_auth_hash(),
        created_at=now,
        expires_at=now + lifetime(),
        ip_address=client.ip_address,
        user_agent=client.user_agent,
    )
    return f"{device_id.hex}.{secret}"


def recognise(*, user, token, client) -> TrustedDevice | None:
    """The trusted device of ``user`` that ``token`` proves, its last use recorded; None for anything else."""
    if not enabled() or not isinstance(token, str) or len(token) > _MAX_LENGTH:
        return None
    match = _FORM.fullmatch(token)
    if match is None:
        return None
    device_id = uuid.UUID(hex=match.group(1))
    now = timezone.now()
    device = TrustedDevice.objects.filter(pk=device_id, user_id=user.pk, expires_at__gt=now).first()
    if device is None:
        return None
    if not constant_time_compare(device.digest, _digest(device_id, match.group(2))):
        return None
    if not constant_time_compare(device.password_fingerprint, user.get_session_auth_hash()):
        device.delete()  # the password changed since: it ended then
        return None
    TrustedDevice.objects.filter(pk=device.pk).update(last_used_at=now, ip_address=client.ip_address)
    return device


def current(user):
    """``user``'s trusted devices that still count, newest first (those of an older password are removed)."""
    now = timezone.now()
    devices = list(TrustedDevice.objects.filter(user=user, expires_at__gt=now).order_by("-created_at"))
    fingerprint = user.get_session_auth_hash()
    stale = [device.pk for device in devices if not constant_time_compare(device.password_fingerprint, fingerprint)]
    if stale:
        TrustedDevice.objects.filter(pk__in=stale).delete()
    return [device for device in devices if device.pk not in stale]


def remove(*, user, device_id) -> bool:
    """End one trusted device of ``user``; answers whether there was one."""
    return bool(TrustedDevice.objects.filter(user=user, pk=device_id).delete()[0])


def end_all(user) -> int:
    """End every trusted device of ``user`` (a change of factors, a password change or reset)."""
    return TrustedDevice.objects.filter(user=user).delete()[0]


def _digest(device_id: uuid.UUID, secret: str) -> str:
    return salted_hmac(_SALT, f"{device_id.hex}:{secret}", secret=settings.SECRET_KEY, algorithm="sha256").hexdigest()
