"""Emitting an event: one INSERT in the caller's transaction when an endpoint subscribes, nothing otherwise.

The row commits or rolls back with its cause, so an event whose cause
rolled back is never sent. ``data`` carries ids and kinds, never a secret or
a token. After the commit the sender is woken (``webhook_queued``).
"""
import json
import secrets

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from accounts.webhooks import kinds, subscriptions
from accounts.webhooks.models import WebhookDelivery

# Sent after the commit of a transaction that queued (or re-queued) deliveries.
webhook_queued = Signal()


def emit(event_type: str, data: dict) -> None:
    """Queue ``event_type`` with ``data`` for every endpoint subscribed to it."""
    assert event_type in kinds.EVENT_TYPES, event_type
    endpoint_ids = subscriptions.subscribers(event_type)
    if not endpoint_ids:
        return
    body = _body(event_type, data)
    message_id = new_message_id()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint_id=pk, message_id=message_id, event_type=event_type, payload=body)
        for pk in endpoint_ids
    )
    transaction.on_commit(wake_sender)


def emit_each(event_type: str, items) -> None:
    """``emit`` for many events of one type (a batch revocation), in one INSERT."""
    endpoint_ids = subscriptions.subscribers(event_type)
    if not endpoint_ids:
        return
    rows = []
    for data in items:
        body, message_id = _body(event_type, data), new_message_id()
        rows.extend(
            WebhookDelivery(endpoint_id=pk, message_id=message_id, event_type=event_type, payload=body)
            for pk in endpoint_ids
        )
    WebhookDelivery.objects.bulk_create(rows)
    transaction.on_commit(wake_sender)


def _body(event_type, data) -> str:
    assert event_type in kinds.EVENT_TYPES, event_type
    return json.dumps(
        {"type": event_type, "timestamp": timezone.now().isoformat().replace("+00:00", "Z"), "data": data},
        separators=(",", ":"), default=str,
    )


def session_data(user_id, session_id, **details) -> dict:
    """The ``data`` of a ``session.*`` event."""
    return {"user_id": user_id, "session_id": session_id, **details}


def session_revoked(user_id, session_id=None, *, reason, kept_session_id=None) -> None:
    """``session.revoked``; ``session_id`` None: every session of the user but ``kept_session_id`` ended at once."""
    details = {"reason": reason} if session_id else {"kept_session_id": kept_session_id, "reason": reason}
    emit("session.revoked", session_data(user_id, session_id, **details))


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(24)


def wake_sender():
    webhook_queued.send(sender=WebhookDelivery)
