"""Webhook endpoints and the outbox of their deliveries."""
from django.db import models
from django.utils import timezone

from accounts.outbox_row import OutboxRow, status_field


class WebhookEndpoint(models.Model):
    """Where events go. ``secret_encrypted`` is the signing secret sealed by ``accounts.webhooks.crypto``.

    ``events`` holds the subscribed event types, space-separated (see ``kinds``).
    """

    url = models.URLField(max_length=2000, unique=True)
    secret_encrypted = models.TextField(editable=False)
    events = models.CharField(max_length=500)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "accounts"
        verbose_name = "webhook endpoint"
        ordering = ["url"]

    def __str__(self):
        return self.url

    @property
    def event_types(self) -> list[str]:
        return self.events.split()


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    DEAD = "dead", "Dead (gave up)"
    DROPPED = "dropped", "Dropped (endpoint no longer subscribed)"


class WebhookDelivery(OutboxRow):
    """One event for one endpoint, from queued to delivered (or dead after too many failed attempts).

    Written in the transaction of the event's cause. ``message_id`` is the
    ``webhook-id`` header of every attempt (the receiver's idempotency key);
    ``payload`` is the exact body. As in the mail outbox, ``next_attempt_at``
    of a row being sent is the end of its sender's lease.

    The foreign key has no database constraint: a process whose memory of the
    subscriptions is a few seconds old may still queue for an endpoint just
    deleted elsewhere, and that must never fail the login that caused the
    event (such a row is never claimed: the sender joins the endpoint).
    """

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", db_constraint=False
    )
    message_id = models.CharField(max_length=40)
    event_type = models.CharField(max_length=40)
    payload = models.TextField()
    status = status_field(DeliveryStatus)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "accounts"
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "message_id"], name="webhook_delivery_message_uniq"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_due_idx"),
            models.Index(fields=["created_at"], name="webhook_created_idx"),
        ]

    def __str__(self):
        return f"{self.event_type} {self.message_id}"
