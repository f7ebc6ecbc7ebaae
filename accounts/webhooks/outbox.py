"""Deliver due webhook deliveries; resend dead ones.

As the mail outbox (``accounts.mail.outbox``): a row is claimed with a lease
(``accounts.outbox.claim_due``: PostgreSQL ``FOR UPDATE SKIP LOCKED``, SQLite
a conditional UPDATE), then POSTed, then marked. Delivery is at least once; every attempt of one row
carries the same ``webhook-id``, so a receiver drops a repeat. Each attempt
is signed anew with its own ``webhook-timestamp`` (receivers refuse old
timestamps). A 2xx answer is success; anything else, a timeout or a refused
connection is retried after a doubling delay, and the row is dead after
``WEBHOOK_MAX_ATTEMPTS``. Redirects are not followed and the answer's body
is not read.
"""
import logging
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from math import floor

from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from accounts.outbox import claim_due
from accounts.webhooks import config, endpoints
from accounts.webhooks.events import wake_sender
from accounts.webhooks.models import DeliveryStatus, WebhookDelivery

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
_BATCH = 20
_ERROR_MAX = 1000
_PENDING = [DeliveryStatus.QUEUED, DeliveryStatus.SENDING]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is then an HTTPError: a failed attempt


_opener = urllib.request.build_opener(_NoRedirects)


def resend(*, deliveries) -> int:
    """Queue dead (or still failing) deliveries again, with a full set of attempts and their same id."""
    count = (
        WebhookDelivery.objects.filter(pk__in=[delivery.pk for delivery in deliveries])
        .filter(status__in=[DeliveryStatus.DEAD, DeliveryStatus.QUEUED])
        .update(status=DeliveryStatus.QUEUED, attempts=0, next_attempt_at=timezone.now())
    )
    if count:
        transaction.on_commit(wake_sender)
    return count


def next_due_at():
    """When the earliest pending row becomes due (None: nothing waits)."""
    return (
        WebhookDelivery.objects.filter(status__in=_PENDING, endpoint__active=True)
        .order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    )


def deliver_due(*, now=None, limit=_BATCH) -> int:
    """Claim up to ``limit`` due rows and try each once; returns how many rows were claimed."""
    claimed = _claim(now=now or timezone.now(), limit=limit)
    for delivery in claimed:
        _deliver(delivery)
    return len(claimed)


def _claim(*, now, limit) -> list[WebhookDelivery]:
    # Joining the endpoint: rows of a deactivated endpoint wait; rows of a deleted one are never taken.
    due = (
        WebhookDelivery.objects.filter(status__in=_PENDING, next_attempt_at__lte=now, endpoint__active=True)
        .select_related("endpoint").order_by("next_attempt_at", "pk")
    )
    return claim_due(due, now=now, limit=limit, sending=DeliveryStatus.SENDING, lease=LEASE)


def signed_headers(*, secret: str, message_id: str, body: bytes, when: datetime) -> dict:
    """The Standard Webhooks headers of one attempt."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(floor(when.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, when, body),
    }


def _deliver(delivery: WebhookDelivery) -> None:
    endpoint = delivery.endpoint
    if delivery.event_type not in endpoint.event_types:
        _finish(delivery, status=DeliveryStatus.DROPPED, error="The endpoint no longer subscribes to this event.")
        return
    body = delivery.payload.encode()
    try:
        endpoints.check_url(endpoint.url)
        headers = signed_headers(
            secret=endpoints.signing_secret(endpoint), message_id=delivery.message_id, body=body,
            when=datetime.now(UTC),
        )
        request = urllib.request.Request(
            endpoint.url, data=body, method="POST",
            headers={**headers, "Content-Type": "application/json", "User-Agent": "Gatehouse-Webhooks/1"},
        )
        with _opener.open(request, timeout=config.timeout()) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        error.close()
        _record_failure(delivery, f"HTTP {error.code}")
        return
    except Exception as error:  # refused, timed out, bad URL, undecryptable secret: try again later
        _record_failure(delivery, f"{type(error).__name__}: {error}")
        return
    if 200 <= status < 300:
        _finish(delivery, status=DeliveryStatus.DELIVERED, error="")
    else:
        _record_failure(delivery, f"HTTP {status}")


def _finish(delivery, *, status, error) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status, delivered_at=timezone.now() if status == DeliveryStatus.DELIVERED else None, last_error=error,
    )


def _record_failure(delivery: WebhookDelivery, description: str) -> None:
    description = description[:_ERROR_MAX]
    if delivery.attempts >= config.max_attempts():
        status, due = DeliveryStatus.DEAD, timezone.now()
        logger.error("Webhook %s to endpoint %s is dead after %s attempts: %s",
                     delivery.message_id, delivery.endpoint_id, delivery.attempts, description)
    else:
        status, due = DeliveryStatus.QUEUED, timezone.now() + config.retry_delay(delivery.attempts)
        logger.warning("Webhook %s to endpoint %s failed (attempt %s), retrying at %s: %s",
                       delivery.message_id, delivery.endpoint_id, delivery.attempts, due.isoformat(), description)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=status, next_attempt_at=due, last_error=description)
