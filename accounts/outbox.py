"""Claiming due rows of an outbox with a lease: the one shape the mail, webhook and back-channel logout outboxes share.

Several processes deliver each queue (a sender thread in every web process,
or a command), so a row is taken by one of them at a time: it is marked
``sending`` with ``next_attempt_at`` moved to the end of a lease and its
``attempts`` counted, and whoever marked it delivers it. A sender that dies
mid-delivery leaves the row to be taken again when the lease ends, so
delivery is at least once. On PostgreSQL the rows are read ``FOR UPDATE SKIP
LOCKED`` (concurrent senders take different rows, and never wait); SQLite has
no row locks, so a row is ours if our conditional UPDATE still finds it as
we read it.

The outbox's model is an ``accounts.outbox_row.OutboxRow`` (``status``, ``next_attempt_at``, ``attempts``).
"""
from django.db import connections, transaction
from django.db.models import F


def claim_due(due, *, now, limit, sending, lease) -> list:
    """Claim up to ``limit`` rows of ``due`` (an ordered queryset of the rows due at ``now``) for ``lease``.

    Returns the claimed rows, their fields as the UPDATE left them (``sending``,
    the lease's end, one more attempt).
    """
    model = due.model
    lease_ends = now + lease
    changes = {"status": sending, "next_attempt_at": lease_ends, "attempts": F("attempts") + 1}
    if connections[due.db].features.has_select_for_update_skip_locked:
        with transaction.atomic(using=due.db):
            rows = list(due.select_for_update(skip_locked=True, of=("self",))[:limit])
            model._default_manager.using(due.db).filter(pk__in=[row.pk for row in rows]).update(**changes)
    else:
        rows = [
            row for row in due[:limit]
            if model._default_manager.using(due.db).filter(
                pk=row.pk, status=row.status, next_attempt_at=row.next_attempt_at, attempts=row.attempts
            ).update(**changes)
        ]
    for row in rows:
        row.status, row.next_attempt_at, row.attempts = sending, lease_ends, row.attempts + 1
    return rows
