"""The authenticator app (TOTP, RFC 6238): enrol, confirm with a first code, remove, and check codes.

Codes are 6 digits over 30-second steps (SHA-1: what every authenticator
app reads from an ``otpauth://`` URI). A code is accepted for the current
step and one step either side (clock drift), and only once: the step of
the last accepted code is kept, and a code of that step or an earlier one
is refused. The check and the new step are one conditional UPDATE, so two
requests racing with the same code cannot both win.
"""
import hmac
import logging
import time
from dataclasses import dataclass

import pyotp
import segno
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound

from accounts import conf
from accounts.mfa import crypto, factors, notices, recovery_codes
from accounts.mfa.models import TotpDevice
from accounts.models import SecurityEventKind

logger = logging.getLogger(__name__)

DIGITS = 6
INTERVAL = 30
DRIFT_STEPS = 1
_SEPARATORS = str.maketrans("", "", " -\t")


class TotpAlreadyEnabled(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("An authenticator app is already set up. Remove it first to set up another.")
    default_code = "totp_already_enabled"


class CodeInvalid(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("That code is not right. Enter the current code from your authenticator app.")
    default_code = "code_invalid"


@dataclass(frozen=True)
class Enrolment:
    secret: str  # base32, for typing into an app by hand
    otpauth_uri: str
    qr_svg: str  # a data: URI of the QR code as SVG, fit for <img src> under the CSP's img-src data:


def begin_enrolment(*, user) -> Enrolment:
    """A new secret for ``user``, pending until ``confirm_enrolment``; replaces an earlier pending one."""
    if TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists():
        raise TotpAlreadyEnabled()
    secret = pyotp.random_base32(length=32)  # 160 bits, as RFC 4226 recommends
    sealed = crypto.encrypt_secret(secret, user_id=user.pk)
    TotpDevice.objects.update_or_create(
        user=user, confirmed_at__isnull=True,
        defaults={"encrypted_secret": sealed, "created_at": timezone.now(), "last_used_step": None},
    )
    uri = provisioning_uri(secret=secret, user=user)
    return Enrolment(secret=secret, otpauth_uri=uri, qr_svg=qr_svg_data_uri(uri))


def provisioning_uri(*, secret, user) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(
        name=user.get_username(), issuer_name=conf.totp_issuer()
    )


def qr_svg_data_uri(uri: str) -> str:
    # Dark modules on a white ground with a quiet zone: readable in a dark theme too.
    return segno.make(uri, error="m").svg_data_uri(scale=4, border=4, dark="#111827", light="#ffffff")


def confirm_enrolment(*, user, code, client, session_id=None) -> list[str]:
    """Turn the pending secret on with a first code; answer a fresh set of recovery codes (shown once)."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
        if device is None:
            raise CodeInvalid(_("There is no authenticator app being set up. Start again."))
        step = _matching_step(_secret(device), code, time.time(), last_used_step=None)
        if step is None:
            raise CodeInvalid()
        now = timezone.now()
        device.confirmed_at, device.last_used_step, device.last_used_at = now, step, now
        device.added_while_unverified = user.email_verified_at is None  # a password reset would end it
        device.save(update_fields=["confirmed_at", "last_used_step", "last_used_at", "added_while_unverified"])
        codes = recovery_codes.replace_set(user=user)
        factors.sync_flag(user)
        notices.notify(SecurityEventKind.MFA_TOTP_ADDED, user=user, client=client, session_id=session_id)
    return codes


def remove(*, user, client, session_id=None) -> None:
    """Remove the authenticator app (or cancel a pending one); recovery codes go with the last factor."""
    with transaction.atomic():
        devices = list(TotpDevice.objects.select_for_update().filter(user=user))
        if not devices:
            raise NotFound(_("No authenticator app is set up."))
        TotpDevice.objects.filter(pk__in=[device.pk for device in devices]).delete()
        if not any(device.confirmed for device in devices):
            return  # only a pending one: nothing was protecting the account yet
        factors.sync_flag(user)  # the recovery codes go with the last factor
        notices.notify(SecurityEventKind.MFA_TOTP_REMOVED, user=user, client=client, session_id=session_id)


def is_enrolled(user) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def looks_like_a_code(code) -> bool:
    return isinstance(code, str) and _normalized(code) is not None


def verify(*, user, code, now=None) -> bool:
    """Whether ``code`` is a current code of the user's confirmed app not used before; records it as used."""
    cleaned = _normalized(code)
    if cleaned is None:
        return False
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return False
    now = time.time() if now is None else now
    step = _matching_step(_secret(device), cleaned, now, last_used_step=device.last_used_step)
    if step is None:
        return False
    # Only if no code of this step or a later one was accepted meanwhile (a racing request).
    fresh = Q(last_used_step__isnull=True) | Q(last_used_step__lt=step)
    return bool(
        TotpDevice.objects.filter(pk=device.pk).filter(fresh)
        .update(last_used_step=step, last_used_at=timezone.now())
    )


def was_used_already(*, user, code, now=None) -> bool:
    """Whether ``code``, just refused, is the very code last accepted (its step is the last one used).

    Only to say so ("already used") instead of "not right": the code is
    refused either way. It tells nothing new: only a code that was right,
    and is spent, answers so.
    """
    cleaned = _normalized(code)
    if cleaned is None:
        return False
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None or device.last_used_step is None:
        return False
    now = time.time() if now is None else now
    return _matching_step(_secret(device), cleaned, now, last_used_step=device.last_used_step - 1) == (
        device.last_used_step
    )


def _secret(device) -> str | None:
    try:
        return crypto.decrypt_secret(device.encrypted_secret, user_id=device.user_id)
    except crypto.DecryptionFailed:
        # DJANGO_SECRET_KEY changed without the old one in SECRET_KEY_FALLBACKS:
        # no code can match until an administrator resets the user's two-step sign-in.
        logger.error("The authenticator secret of user %s does not decrypt with this server's key.", device.user_id)
        return None


def _normalized(code) -> str | None:
    """The code as 6 ASCII digits (spaces and dashes dropped), or None if it cannot be one."""
    if not isinstance(code, str) or len(code) > 32:
        return None
    cleaned = code.translate(_SEPARATORS)
    if len(cleaned) != DIGITS or not cleaned.isascii() or not cleaned.isdigit():
        return None
    return cleaned


def _matching_step(secret, code, now, *, last_used_step) -> int | None:
    """The latest step within the drift window whose code is ``code`` and that is after ``last_used_step``.

    Every step of the window is computed and compared in constant time, so
    the time taken does not tell which step (if any) matched.
    """
    cleaned = _normalized(code)
    if cleaned is None or secret is None:
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    current = totp.timecode(now)
    matched = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        expected = totp.generate_otp(step)
        if hmac.compare_digest(expected.encode(), cleaned.encode()) and (
            last_used_step is None or step > last_used_step
        ):
            matched = step
    return matched
