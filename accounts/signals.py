"""Making a user inactive, from anywhere that saves the user, ends their sessions and personal access tokens."""
from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import RevocationReason
from accounts.personal_tokens import flows as personal_tokens
from accounts.sessions import lifecycle


@receiver(post_save, sender=get_user_model(), dispatch_uid="gatehouse-end-sessions-of-inactive-user")
def end_sessions_of_inactive_user(sender, instance, created, **kwargs):
    if not created and not instance.is_active:
        lifecycle.revoke_user_sessions(user=instance, reason=RevocationReason.USER_DEACTIVATED)
        personal_tokens.revoke_user_tokens(user=instance, reason=RevocationReason.USER_DEACTIVATED)
