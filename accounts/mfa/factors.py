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
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts import conf
from accounts.audit import record_event
from accounts.devices import trusted
from accounts.mail import outbox
from accounts.mfa import notices
from accounts.mfa.models import MfaChallenge, RecoveryCode, TotpDevice
from accounts.models import SecurityEventKind
from accounts.passkeys.models import Passkey
from accounts.sessions import live_sessions
from accounts.webhooks import events as webhooks


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

    Every change of a factor passes here, so here every trusted browser of
    the account ends too (``accounts.devices.trusted``): one that skipped
    the second step of the old factors must not skip that of the new ones.
    """
    trusted.end_all(user)
    enabled = has_factor(user)
    webhooks.emit("mfa.changed", {"user_id": user.pk, "mfa_enabled": enabled})
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


def end_unverified_past(*, user, client=None, proof="password_reset") -> bool:
    """At a password reset: remove the factors added while the address was not verified; recorded and mailed.

    Why: someone who signs up with an address that is not theirs (before its
    owner does) can add a passkey or an authenticator app to the account.
    When the owner takes the account back with a reset link from the mailbox,
    a factor left behind would let the other in again, or lock the owner out
    (the login asking for a second step only the other can give). The reset
    proves the mailbox: what was attached while nobody had proved it goes;
    what was added once the address was verified stays (its owner added it).

    "Added while unverified" is recorded on each factor when it is added
    (``added_while_unverified``, migration 0013), not worked out from
    ``email_verified_at`` at the reset: that field holds only the latest
    verification (of the current address), so comparing dates would call a
    factor added under an earlier verified address unverified, and cannot
    tell what happened between. Answers whether anything was removed. Call
    it inside the reset's transaction, after the password changed. ``proof``
    names what proved the mailbox: ``password_reset``, or ``login_code`` (a
    first sign-in with a mailed code, ``accounts.email_codes``).
    """
    passkeys = Passkey.objects.filter(user=user, added_while_unverified=True)
    passkey_names = list(passkeys.values_list("name", flat=True))
    apps = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False, added_while_unverified=True)
    app_removed = bool(apps.delete()[0])
    TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).delete()  # one being set up: nothing to tell
    codes_removed = RecoveryCode.objects.filter(user=user, added_while_unverified=True).delete()[0]
    passkeys.delete()
    if not (passkey_names or app_removed or codes_removed):
        return False
    still_enabled = sync_flag(user)
    if passkey_names:
        record_event(SecurityEventKind.PASSKEY_REMOVED, user=user, reason=proof, client=client)
    if app_removed:
        record_event(SecurityEventKind.MFA_TOTP_REMOVED, user=user, reason=proof, client=client)
    # Lazy: the mail renders them in the owner's language (accounts.mail.outbox).
    removed = [format_lazy(_("the passkey “{name}”"), name=name) for name in passkey_names]
    removed += [_("the authenticator app")] if app_removed else []
    removed += [_("the recovery codes")] if codes_removed else []
    if user.email:
        outbox.enqueue(
            to=user.email,
            template="factors_removed_on_reset",
            context={
                "user": user, "removed": removed, "still_enabled": still_enabled, "when": timezone.now(),
                "site_url": conf.site_url() or "", "proof": proof,
            },
        )
    return True
