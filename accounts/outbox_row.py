"""The fields every outbox row has: its state, how often it was tried, when it is due (or its lease ends), the last error.

The mail, webhook and back-channel logout outboxes differ in what a row
carries and in their final states (sent, delivered, dropped), but the claim
loop (``accounts.outbox.claim_due``) and their senders read and write these
same fields, so they are declared once here. Each outbox keeps its own
index on ``(status, next_attempt_at)``: the index names are in the schema.
"""
from django.db import models
from django.utils import timezone


def status_field(states: type[models.TextChoices]) -> models.CharField:
    """An outbox's ``status``: one of its own ``states``, a new row ``QUEUED``."""
    return models.CharField(max_length=16, choices=states.choices, default=states.QUEUED)


class OutboxRow(models.Model):
    """An abstract outbox row; a subclass declares ``status = status_field(ItsStates)``.

    ``next_attempt_at`` is when a queued row is due; for a row being sent it is
    the end of its sender's lease, after which another sender may take it over.
    """

    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)

    class Meta:
        abstract = True
