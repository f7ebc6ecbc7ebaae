"""Making a user inactive, from anywhere that saves the user, ends their sessions and personal access tokens.

And a process forgets at once what it remembered of a user or session it
has just saved (``live_sessions``): its own next request must not wait for
the database's notification.
"""
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.federation import domains
from accounts.federation.models import Provider
from accounts.models import RefreshSession, RevocationReason
from accounts.personal_tokens import flows as personal_tokens
from accounts.sessions import lifecycle, live_sessions


@receiver(post_save, sender=get_user_model(), dispatch_uid="gatehouse-end-sessions-of-inactive-user")
def end_sessions_of_inactive_user(sender, instance, created, **kwargs):
    if not created and not instance.is_active:
        lifecycle.revoke_user_sessions(user=instance, reason=RevocationReason.USER_DEACTIVATED)
        personal_tokens.revoke_user_tokens(user=instance, reason=RevocationReason.USER_DEACTIVATED)


@receiver(post_save, sender=get_user_model(), dispatch_uid="gatehouse-forget-saved-user")
@receiver(post_delete, sender=get_user_model(), dispatch_uid="gatehouse-forget-deleted-user")
def forget_remembered_user(sender, instance, **kwargs):
    user_pk = instance.pk  # now: a deletion sets it to None before the transaction commits
    transaction.on_commit(lambda: live_sessions.forget_user(user_pk))


# Saves only: a session is deleted when it has long ended (cleanup_sessions), or with its user (above);
# a delete receiver would also cost cleanup its one-statement fast delete.
@receiver(post_save, sender=RefreshSession, dispatch_uid="gatehouse-forget-saved-session")
def forget_remembered_session(sender, instance, created, **kwargs):
    if not created:
        session_id = instance.pk
        transaction.on_commit(lambda: live_sessions.forget_session(session_id))


@receiver(post_save, sender=Provider, dispatch_uid="gatehouse-forget-owned-domains-on-save")
@receiver(post_delete, sender=Provider, dispatch_uid="gatehouse-forget-owned-domains-on-delete")
def forget_owned_domains(sender, instance, **kwargs):
    """A provider's domains or ``require_for_domains`` may have changed: the next sign-in reads them again."""
    domains.forget_owners()
