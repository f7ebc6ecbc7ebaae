"""The queue senders' threads (accounts.background): none outlives its test run, and one stopped mid-round is quiet.

Repro: on PostgreSQL, after the run's summary, the back-channel logout sender (started by the first request
a test made with the webhook sender setting on, and stopped by nothing) logged
``database "test_test" does not exist``: its next round came after pytest had dropped the test database.
"""
import logging
import threading

import pytest
from django.db import OperationalError

from accounts import background
from accounts.mail import sender as mail_sender
from accounts.oidc_provider import logout
from accounts.webhooks import sender as webhook_sender
from tests.conftest import wait_until

SENDER_THREADS = {"gatehouse-backchannel-logout", "gatehouse-mail-sender", "gatehouse-webhook-sender"}


def running_senders():
    return {thread.name for thread in threading.enumerate() if thread.name in SENDER_THREADS}


def test_every_sender_names_its_thread_as_this_test_expects():
    assert {mail_sender._sender.name, webhook_sender._sender.name, logout._sender.name} == SENDER_THREADS


@pytest.mark.django_db(transaction=True)
def test_a_request_with_the_webhook_setting_on_starts_the_logout_sender_and_stop_all_ends_it(client, settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "WEBHOOK_SENDER_THREAD": True}
    assert running_senders() == set()
    client.get("/api/health/")  # the first request a process serves starts its senders
    assert {"gatehouse-backchannel-logout", "gatehouse-webhook-sender"} <= running_senders()

    background.stop_all()

    assert running_senders() == set()


def test_a_round_that_fails_because_its_sender_is_stopping_is_not_logged(caplog):
    in_round, stopping = threading.Event(), threading.Event()

    def deliver_due():
        in_round.set()
        assert stopping.wait(20), "the sender was never stopped"
        raise OperationalError('connection failed: FATAL:  database "test_test" does not exist')

    sender = background.QueueSender(
        name="gatehouse-test-sender", what="test", deliver_due=deliver_due, next_due_at=lambda: None,
        enabled=lambda: True,
    )
    caplog.set_level(logging.INFO, logger="accounts.background")
    sender.wake()
    assert in_round.wait(20), "the sender never started a round"
    thread, stop_event = sender.state["thread"], sender.state["stop"]
    stopper = threading.Thread(target=sender.stop)
    stopper.start()
    wait_until(stop_event.is_set, what="stop() asking the thread to stop")
    stopping.set()  # the round fails now, as when its database has gone
    stopper.join(20)

    assert not thread.is_alive()
    assert [record.getMessage() for record in caplog.records] == []
