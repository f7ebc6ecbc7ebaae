"""Deleting an account: everything personal goes in one transaction; the audit trail stays, nameless.

Sessions, personal tokens, factors, passkeys, devices and the rest go with
the user's row (every table pointing at it cascades); the mail queued to its
address goes too, but for the notice of the deletion, queued after that, in
the same transaction, and delivered once the row is gone (the sender needs
only the address). The security events of the account stay, for the
administrators' record, under a random pseudonym (``deleted-…``) and without
the name, address, IP or user agent.

The user's row is locked first: a login that checked the password just
before waits for this transaction and then finds no row
(``accounts.sessions.lifecycle.start_session``), so it opens no session.
"""
import secrets

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q

from accounts.audit import record_event
from accounts.mail import notices
from accounts.mail.models import OutboxMessage
from accounts.models import RevocationReason, SecurityEvent, SecurityEventKind
from accounts.sessions import lifecycle

WHAT_GOES = (
    "your profile (username, email address, names, language)",
    "every session: all your devices are signed out",
    "your personal access tokens",
    "your authenticator app, recovery codes and passkeys",
    "the devices remembered for your account",
    "mail queued to your address",
)


class LastSuperuser(Exception):
    """The account is the last active superuser: deleting it would leave nobody to administer the site."""


class AccountGone(Exception):
    """The account was deleted meanwhile."""


def pseudonym() -> str:
    return f"deleted-{secrets.token_hex(6)}"


def is_last_superuser(user) -> bool:
    if not (user.is_superuser and user.is_active):
        return False
    others = get_user_model()._default_manager.filter(is_superuser=True, is_active=True).exclude(pk=user.pk)
    return not others.exists()


def delete_account(*, user, actor=None) -> str:
    """Delete ``user`` and everything personal about it; returns the pseudonym its events now carry.

    ``actor``: the administrator who did it, when not the owner. Raises
    ``LastSuperuser`` (nothing changes) and ``AccountGone``.
    """
    User = get_user_model()
    name = pseudonym()
    with transaction.atomic():
        if user.is_superuser:
            # Every active superuser's row first, in one order: of two superusers deleting each other (or
            # themselves) at once, the second counts after the first committed, and the last one stays.
            list(User._default_manager.select_for_update().filter(is_superuser=True, is_active=True).order_by("pk"))
        locked = User._default_manager.select_for_update().filter(pk=user.pk).first()
        if locked is None:
            raise AccountGone
        if is_last_superuser(locked):
            raise LastSuperuser
        lifecycle.revoke_user_sessions(user=locked, reason=RevocationReason.ACCOUNT_DELETED, actor=actor)
        if locked.email:
            OutboxMessage.objects.filter(to__iexact=locked.email).delete()
            notices.account_deleted(user=locked, by_staff=actor is not None and actor.pk != locked.pk)
        _scrub_events(locked, name)
        locked.delete()
        record_event(
            SecurityEventKind.ACCOUNT_DELETED, username=name,
            actor=actor if actor is not None and actor.pk != user.pk else None,
        )
    return name


def _scrub_events(user, name) -> None:
    """The account's events keep the pseudonym, nothing that names or locates the person.

    Failed logins with no account attached that were typed with its name or
    address are its too.
    """
    typed = Q(username__iexact=user.username)
    if user.email:
        typed |= Q(username__iexact=user.email)
    SecurityEvent.objects.filter(Q(user=user) | (Q(user__isnull=True) & typed)).update(
        user=None, username=name, ip_address=None, user_agent=""
    )
    # The admin's log of changes made to the account names it too.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk)
    ).update(object_repr=name)
