"""A security event and a mail to the owner for every change to their second factors.

Both are written in the caller's transaction: the mail exists exactly when
the change committed (see ``accounts.mail.outbox``).
"""
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import conf
from accounts.audit import record_event
from accounts.mail import outbox
from accounts.models import SecurityEventKind

_MESSAGES = {
    SecurityEventKind.MFA_TOTP_ADDED: (
        _("An authenticator app was added to your account"),
        _("an authenticator app was set up for two-step sign-in on your Gatehouse account"),
    ),
    SecurityEventKind.MFA_TOTP_REMOVED: (
        _("The authenticator app was removed from your account"),
        _("the authenticator app was removed from your Gatehouse account; signing in now needs only your password"),
    ),
    SecurityEventKind.MFA_RECOVERY_CODES_CREATED: (
        _("New recovery codes for your account"),
        _("a new set of recovery codes was generated for your Gatehouse account; the earlier codes no longer work"),
    ),
    SecurityEventKind.MFA_RECOVERY_CODE_USED: (
        _("A recovery code was used on your account"),
        _("one of your recovery codes was used to sign in to (or confirm it is you on) your Gatehouse account"),
    ),
    SecurityEventKind.MFA_RESET: (
        _("Two-step sign-in was reset on your account"),
        _("an administrator reset two-step sign-in on your Gatehouse account: the authenticator app and the "
          "recovery codes were removed, and signing in now needs only your password"),
    ),
}


def notify(kind, *, user, client=None, actor=None, session_id=None, remaining=None) -> None:
    """Record ``kind`` for ``user`` and mail them about it (when they have an address).

    ``remaining``: how many recovery codes are left, for a code just used.
    """
    record_event(kind, user=user, actor=actor, session_id=session_id, client=client)
    if not user.email:
        return
    subject, sentence = _MESSAGES[kind]
    outbox.enqueue(
        to=user.email,
        template="mfa_notice",
        context={
            "user": user,
            "subject": subject,
            "sentence": sentence,
            "remaining": remaining,
            "when": timezone.now(),
            "ip_address": client.ip_address if client and not actor else None,
            "site_url": conf.site_url() or "",
        },
    )
