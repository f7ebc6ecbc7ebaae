"""What a user has enrolled, the flag a login reads, and the administrator's reset.

A second factor is a confirmed authenticator app or a passkey; recovery
codes are not one (they exist only next to a factor, and go with the last).
Read here from the tables, not from ``accounts.mfa.methods``: every change
of a factor (``totp``, ``recovery_codes``, ``accounts.passkeys.flows``) calls
into this module, and the registry of methods builds on those.

``User.mfa_enabled`` says whether the account has a second factor. It lives
on the user row so that a login of an account without one (almost every
login) reads it with the user and costs no extra query; every change of a
factor calls ``sync_flag`` in the same transaction, which recomputes it
from the registered methods.
"""
from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.mfa import notices
from accounts.mfa.models import MfaChallenge, RecoveryCode, TotpDevice
from accounts.models import SecurityEventKind
from accounts.passkeys.models import Passkey
from accounts.sessions import live_sessions


def has_factor(user) -> bool:
    return (
        TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
        or Passkey.objects.filter(user=user).exists()
    )


def sync_flag(user) -> bool:
    """Recompute ``user.mfa_enabled`` from what is enrolled, write it if it changed; answer it.

    With no factor left the recovery codes go too, whichever factor was the
    last (an authenticator app, a passkey): they stand in for a factor, and
    left alone they would still re-authenticate and complete a second step
    the day a factor is added again.
    """
    enabled = has_factor(user)
    if not enabled:
        RecoveryCode.objects.filter(user=user).delete()
    if user.mfa_enabled != enabled:
        get_user_model()._default_manager.filter(pk=user.pk).update(mfa_enabled=enabled)
        transaction.on_commit(lambda: live_sessions.forget_user(user.pk))
        user.mfa_enabled = enabled
    return enabled


def summary(user) -> dict:
    """What the user (or an administrator) may see about the factors: dates and counts, never a secret."""
    device = TotpDevice.objects.filter(user=user).only("created_at", "confirmed_at", "last_used_at").first()
    codes = list(RecoveryCode.objects.filter(user=user).values_list("used_at", "created_at"))
    confirmed = device is not None and device.confirmed_at is not None
    return {
        "enabled": bool(user.mfa_enabled),
        "totp": {
            "enabled": confirmed,
            "pending": device is not None and not confirmed,
            "confirmed_at": device.confirmed_at if confirmed else None,
            "last_used_at": device.last_used_at if confirmed else None,
        },
        "recovery_codes": {
            "total": len(codes),
            "remaining": sum(1 for used_at, _ in codes if used_at is None),
            "created_at": max((created_at for _, created_at in codes), default=None),
        },
    }


def reset(*, user, actor, client=None) -> bool:
    """An administrator removes every second factor of ``user`` (a lost phone): recorded, naming them, and mailed.

    Pending second steps die too. Answers whether there was anything to remove.
    """
    with transaction.atomic():
        removed = TotpDevice.objects.filter(user=user).delete()[0]
        removed += RecoveryCode.objects.filter(user=user).delete()[0]
        removed += Passkey.objects.filter(user=user).delete()[0]
        MfaChallenge.objects.filter(user=user).delete()
        was_enabled = user.mfa_enabled
        sync_flag(user)
        if not (removed or was_enabled):
            return False
        notices.notify(SecurityEventKind.MFA_RESET, user=user, actor=actor, client=client)
    return True
