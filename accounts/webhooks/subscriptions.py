"""Which endpoints take which event type: remembered per process, so that emitting costs no query.

An event with no subscriber writes nothing, and a login must not pay a
query to learn that. The map is loaded on first use, forgotten at once when
this process saves or deletes an endpoint, and reloaded at most every
``_MAX_AGE`` seconds, which bounds how late another process learns of a
change. A stale map errs only harmlessly: a row queued for an endpoint that
stopped subscribing is dropped by the sender, which checks again.
"""
import threading
import time

from django.db.models.signals import post_delete, post_save

from accounts.webhooks.models import WebhookEndpoint

_MAX_AGE = 30.0
_lock = threading.Lock()
_state = {"map": None, "loaded_at": 0.0}


def subscribers(event_type: str) -> tuple[int, ...]:
    """The ids of the active endpoints subscribed to ``event_type``."""
    current, loaded_at = _state["map"], _state["loaded_at"]
    if current is None or time.monotonic() - loaded_at > _MAX_AGE:
        current = _load()
    return current.get(event_type, ())


def _load() -> dict:
    subscribed: dict[str, list[int]] = {}
    for pk, events in WebhookEndpoint.objects.filter(active=True).values_list("pk", "events"):
        for event_type in events.split():
            subscribed.setdefault(event_type, []).append(pk)
    current = {event_type: tuple(ids) for event_type, ids in subscribed.items()}
    with _lock:
        _state.update(map=current, loaded_at=time.monotonic())
    return current


def forget(**kwargs) -> None:
    """Reload on next use (an endpoint changed here; tests)."""
    with _lock:
        _state.update(map=None, loaded_at=0.0)


post_save.connect(forget, sender=WebhookEndpoint, dispatch_uid="gatehouse-webhook-subscriptions-saved")
post_delete.connect(forget, sender=WebhookEndpoint, dispatch_uid="gatehouse-webhook-subscriptions-deleted")
