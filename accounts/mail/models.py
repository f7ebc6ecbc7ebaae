"""The outbox: one row per mail, from queued to sent (or dead after too many failed attempts)."""
from django.db import models
from django.utils import timezone

from accounts.outbox_row import OutboxRow, status_field


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DEAD = "dead", "Dead (gave up)"


class OutboxMessage(OutboxRow):
    """A mail to deliver.

    A row is written in the same transaction as the action that causes it, so
    a mail exists exactly when its action committed. ``next_attempt_at`` is
    when a queued row is due; for a row being sent it is the end of the
    sender's lease, after which another sender may take it over (a process
    that died mid-send). Links with tokens in a body are masked once the mail
    is delivered; until then they live here as long as the token does.
    """

    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    status = status_field(OutboxStatus)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "accounts"
        verbose_name = "outbox message"
        ordering = ["-created_at"]
        indexes = [
            # The senders' query: due rows, oldest first.
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["created_at"], name="outbox_created_idx"),
        ]

    def __str__(self):
        return f"{self.subject} → {self.to}"
