"""The outbox, delivered through a real SMTP server (tests/smtp.py)."""
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from accounts.mail import outbox, sender
from accounts.mail.models import OutboxMessage, OutboxStatus
from tests.smtp import body_text

pytestmark = pytest.mark.django_db

CONTEXT = {"user": {"get_username": "alice"}, "link": "https://gatehouse.test/reset-password?token=abc.def.ghi",
           "ttl_minutes": 60}


def queue(to="alice@example.com"):
    with transaction.atomic():
        return outbox.enqueue(to=to, template="password_reset", context=CONTEXT)


def test_queued_mail_is_delivered_through_smtp(smtp_server):
    # repro: enqueue a mail, deliver_due() → the SMTP server receives it, text and HTML, from EMAIL_FROM
    message = queue()
    assert outbox.deliver_due() == 1
    (received,) = smtp_server.wait_for(1)
    assert received["To"] == "alice@example.com"
    assert received["Subject"] == "Reset your Gatehouse password"
    assert "no-reply@localhost" in received["From"]
    assert "token=abc.def.ghi" in body_text(received)
    assert received.get_body(preferencelist=("html",)) is not None
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.attempts == 1 and message.sent_at
    # delivered: the token no longer rests in the database
    assert "abc.def.ghi" not in message.body_text + message.body_html


def test_row_rolls_back_with_its_transaction(smtp_server):
    # repro: a mail queued in a transaction that fails is never sent
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue(to="alice@example.com", template="password_reset", context=CONTEXT)
        raise RuntimeError
    assert not OutboxMessage.objects.exists()
    assert outbox.deliver_due() == 0


def test_smtp_down_then_up_delivers_with_nothing_lost(smtp_down):
    # repro: SMTP refuses connections → the mail stays queued with backoff; once it is up, delivered once
    message = queue()
    assert outbox.deliver_due() == 0
    message.refresh_from_db()
    assert message.status == OutboxStatus.QUEUED and message.attempts == 1
    assert "refused" in message.last_error.lower() or "error" in message.last_error.lower()
    first_retry = message.next_attempt_at
    assert first_retry >= timezone.now() + timedelta(seconds=25)
    assert outbox.deliver_due() == 0  # not due yet: no attempt
    message.refresh_from_db()
    assert message.attempts == 1

    with time_machine.travel(first_retry + timedelta(seconds=1), tick=False):
        assert outbox.deliver_due() == 0
        message.refresh_from_db()
        assert message.attempts == 2
        assert message.next_attempt_at - timezone.now() >= timedelta(seconds=59)  # doubled

    smtp_down.start()
    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1), tick=False):
        assert outbox.deliver_due() == 1
    assert len(smtp_down.wait_for(1)) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.attempts == 3 and message.last_error == ""


def test_dead_after_max_attempts_and_resent_from_the_admin(smtp_down, settings, admin_client):
    # repro: SMTP down for MAIL_MAX_ATTEMPTS attempts → dead; the admin's resend action delivers it
    settings.GATEHOUSE = {**settings.GATEHOUSE, "MAIL_MAX_ATTEMPTS": 3}
    message = queue()
    when = timezone.now()
    for _ in range(3):
        with time_machine.travel(when, tick=False):
            outbox.deliver_due()
        message.refresh_from_db()
        when = message.next_attempt_at + timedelta(seconds=1)
    assert message.status == OutboxStatus.DEAD and message.attempts == 3
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        assert outbox.deliver_due() == 0  # dead rows are left alone

    smtp_down.start()
    response = admin_client.post(
        "/admin/accounts/outboxmessage/", {"action": "resend", "_selected_action": [message.pk]}
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == OutboxStatus.QUEUED and message.attempts == 0
    assert outbox.deliver_due() == 1
    assert len(smtp_down.wait_for(1)) == 1


def test_admin_shows_the_outbox_without_tokens(admin_client, smtp_down):
    # repro: the outbox's list and detail pages (and a lookup on the body) must not reveal the token
    message = queue()
    outbox.deliver_due()  # fails: the body still holds the token
    listing = admin_client.get("/admin/accounts/outboxmessage/")
    assert listing.status_code == 200
    assert b"alice@example.com" in listing.content and b"abc.def.ghi" not in listing.content
    detail = admin_client.get(f"/admin/accounts/outboxmessage/{message.pk}/change/")
    assert detail.status_code == 200
    assert b"token=[hidden]" in detail.content and b"abc.def.ghi" not in detail.content
    assert admin_client.get("/admin/accounts/outboxmessage/?body_text__contains=abc").status_code == 400
    assert admin_client.get("/admin/accounts/outboxmessage/?body_html__startswith=a").status_code == 400


def test_the_sender_thread_delivers_after_commit(smtp_server, settings, transactional_db):
    # repro: with the thread on, a committed enqueue wakes it and the mail arrives without a deliver_due() call
    settings.GATEHOUSE = {**settings.GATEHOUSE, "MAIL_SENDER_THREAD": True}
    try:
        queue()
        assert len(smtp_server.wait_for(1)) == 1
    finally:
        sender.stop()


def test_send_mail_outbox_command_drains(smtp_server):
    from django.core.management import call_command

    queue("a@example.com")
    queue("b@example.com")
    call_command("send_mail_outbox")
    assert sorted(m["To"] for m in smtp_server.wait_for(2)) == ["a@example.com", "b@example.com"]


@pytest.mark.django_db(transaction=True)
def test_two_senders_never_send_one_message_twice(smtp_server):
    # repro: two senders, each with its own database connection, drain 30 mails at once → each arrives once
    for number in range(30):
        OutboxMessage.objects.create(to=f"user{number}@example.com", subject=f"m{number}", body_text="x")
    start = threading.Barrier(2)
    errors = []

    def drain():
        try:
            start.wait(timeout=20)
            while outbox.deliver_due(limit=3):
                pass
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    received = smtp_server.wait_for(30)
    assert sorted(m["Subject"] for m in received) == sorted(f"m{n}" for n in range(30))
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 30


def test_wake_restarts_the_thread_in_a_forked_child(settings, monkeypatch):
    # repro: after fork the parent's thread is gone; the child's first wake starts its own
    settings.GATEHOUSE = {**settings.GATEHOUSE, "MAIL_SENDER_THREAD": True}
    started = []
    monkeypatch.setattr(sender._sender, "run_forever", lambda **kwargs: started.append(kwargs))
    monkeypatch.setitem(sender._state, "pid", -1)  # as in a child: the recorded pid is the parent's
    monkeypatch.setitem(sender._state, "thread", None)
    sender.wake()
    sender._state["thread"].join(timeout=20)
    assert len(started) == 1


def test_a_slow_smtp_server_gets_every_attempt_of_a_row_with_one_message_id(settings):
    """Repro: a server that has the message but answers after the timeout: the row was marked failed and sent
    again with a new Message-ID (3 of 3 resets arrived twice, as two different mails)."""
    import asyncio

    from aiosmtpd.controller import Controller

    from tests.smtp import SMTPServer, free_port, point_mail_at

    class SlowFirstAnswer:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope.content)
            if len(self.messages) == 1:
                await asyncio.sleep(3)  # has it, answers after the client's timeout
            return "250 Message accepted"

    handler = SlowFirstAnswer()
    server = SMTPServer(free_port())
    point_mail_at(settings, server.url)
    settings.EMAIL_TIMEOUT = 1
    controller = Controller(handler, hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        message = queue()
        assert outbox.deliver_due() == 0  # timed out: counted as failed
        message.refresh_from_db()
        assert message.status == OutboxStatus.QUEUED
        assert outbox.deliver_due(now=message.next_attempt_at) == 1
    finally:
        controller.stop()

    import email

    first, second = (email.message_from_bytes(raw) for raw in handler.messages)
    assert first["Message-ID"] == second["Message-ID"] == outbox.message_id(message)
