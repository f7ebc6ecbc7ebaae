"""``user.created``, ``user.updated``, ``user.deleted``: emitted where every change of a user passes, its signals.

Sign-up, the admin, ``createsuperuser`` and any later way of making an
account all save the model, so this is the one place. A save that touches
only the password or ``last_login`` is not ``user.updated``: the first is
``password.changed`` (emitted by its flows), the second is every login.
"""
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.webhooks.events import emit

_NOT_AN_UPDATE = frozenset({"password", "last_login"})


def user_data(user) -> dict:
    """What an event says about a user: ids and public attributes, never the password or a factor."""
    return {
        "id": user.pk, "username": user.username, "email": user.email,
        "is_active": user.is_active, "is_staff": user.is_staff,
    }


@receiver(post_save, sender=get_user_model(), dispatch_uid="gatehouse-webhook-user-saved")
def user_saved(sender, instance, created, update_fields=None, **kwargs):
    if created:
        emit("user.created", {"user": user_data(instance)})
    elif update_fields is None or not set(update_fields) <= _NOT_AN_UPDATE:
        emit("user.updated", {"user": user_data(instance)})


@receiver(post_delete, sender=get_user_model(), dispatch_uid="gatehouse-webhook-user-deleted")
def user_deleted(sender, instance, **kwargs):
    emit("user.deleted", {"user": {"id": instance.pk}})
