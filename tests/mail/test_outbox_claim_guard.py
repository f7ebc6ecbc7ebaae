"""A claimed outbox row is only leased, never ``sent``, until the SMTP server has the mail.

The claim marks a row ``sending`` with a lease; only a delivered mail is
marked ``sent``. A claim that wrote ``sent`` straight away would lose every
mail whose sender dies between the claim and the SMTP conversation: nothing
would ever take the row over. Both ways of claiming are pinned: row locks
(``FOR UPDATE SKIP LOCKED``, PostgreSQL) where the database has them, and the
conditional UPDATE that SQLite uses, forced on any database.
"""
from datetime import timedelta

import pytest
import time_machine
from django.core.mail.backends.smtp import EmailBackend
from django.db import connection, transaction
from django.utils import timezone

from accounts.mail import outbox
from accounts.mail.models import OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db

CONTEXT = {"user": {"get_username": "alice"}, "link": "https://gatehouse.test/reset-password?token=abc.def.ghi",
           "ttl_minutes": 60}


class SenderDied(BaseException):
    """The sending process ending mid-way (not an SMTP error the sender catches and records)."""


@pytest.fixture(params=["as the database claims", "by the conditional update"])
def claim_path(request, monkeypatch):
    if request.param == "by the conditional update":
        monkeypatch.setattr(connection.features, "has_select_for_update_skip_locked", False)
    return request.param


def test_a_claimed_mail_whose_sender_dies_before_smtp_is_sent_after_its_lease_and_never_reads_sent_before(
    claim_path, smtp_server, monkeypatch
):
    # repro: claim a due mail, the sender dies before the SMTP conversation → the row is still waiting
    # (sending, leased), not "sent"; after the lease another deliver_due() sends it, once, and only then is it sent
    with transaction.atomic():
        message = outbox.enqueue(to="alice@example.com", template="password_reset", context=CONTEXT)
    seen_before_smtp = []

    def die_before_smtp(backend):
        seen_before_smtp.append(OutboxMessage.objects.get(pk=message.pk).status)
        raise SenderDied()

    with monkeypatch.context() as patched:
        patched.setattr(EmailBackend, "open", die_before_smtp)
        with pytest.raises(SenderDied):
            outbox.deliver_due()

    assert seen_before_smtp == [OutboxStatus.SENDING], "the claim must not mark the row sent before SMTP has it"
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENDING and message.sent_at is None and message.attempts == 1
    assert smtp_server.messages == []
    assert outbox.deliver_due() == 0  # still leased to the sender that died

    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1), tick=False):
        assert outbox.deliver_due() == 1
    (received,) = smtp_server.wait_for(1)
    assert received["To"] == "alice@example.com"
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.attempts == 2 and message.sent_at is not None
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        assert outbox.deliver_due() == 0
    assert len(smtp_server.messages) == 1
