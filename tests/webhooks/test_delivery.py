"""Webhooks end to end against a real receiver on loopback that verifies every signature."""
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.webhooks import outbox
from accounts.webhooks.models import DeliveryStatus, WebhookDelivery
from tests.conftest import login
from tests.webhooks.conftest import SECRET


def later(hours=2):
    return timezone.now() + timedelta(hours=hours)


def drain(now=None):
    while outbox.deliver_due(now=now):
        pass


def test_a_login_reaches_the_receiver_signed_with_the_standard_webhooks_headers(
    sender_thread, receiver, subscribe, user
):
    # Repro: with the server's background sender on, a login POSTs session.created, verified by the package.
    subscribe(receiver.url, "session.created")
    response = login(APIClient())
    assert response.status_code == 200

    [(headers, payload)] = receiver.wait_for(1)
    assert headers["webhook-id"].startswith("msg_") and headers["webhook-signature"].startswith("v1,")
    assert headers["content-type"] == "application/json"
    assert payload["type"] == "session.created" and payload["timestamp"].endswith("Z")
    assert payload["data"]["user_id"] == user.pk and payload["data"]["methods"] == ["pwd"]
    assert receiver.refused == 0
    body = str(payload)
    assert response.json()["access"] not in body and "refresh" not in body


@pytest.mark.django_db
def test_receiver_down_then_up_loses_nothing_and_every_attempt_keeps_its_webhook_id(receiver, subscribe, make_user):
    subscribe(receiver.url, "user.created,user.updated")
    receiver.down()
    alice = make_user("alice")
    alice.first_name = "Alice"
    alice.save()
    make_user("bob")
    drain()  # connection refused: each row is queued again for later
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.QUEUED, 1)}

    receiver.up()
    receiver.fail_next(1)  # and one more failure, answered 500 this time
    drain(now=later())
    drain(now=later(4))
    received = receiver.wait_for(3)
    assert sorted(receiver.types()) == ["user.created", "user.created", "user.updated"]
    stored = set(WebhookDelivery.objects.values_list("message_id", flat=True))
    assert {headers["webhook-id"] for headers, _ in received} == stored
    # The request answered 500 and its successful retry carried the same webhook-id.
    assert len(receiver.attempts) == 4 and len(set(receiver.attempts)) == 3
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}


@pytest.mark.django_db
def test_nothing_is_delivered_to_an_endpoint_not_subscribed_to_that_event(subscribe, make_user):
    from tests.webhooks.receiver import Receiver

    users_only, sessions_only = Receiver(SECRET).up(), Receiver(SECRET).up()
    try:
        subscribe(users_only.url, "user.created")
        subscribe(sessions_only.url, "session.created,session.revoked")
        make_user("alice")
        assert login(APIClient()).status_code == 200
        drain()
        assert users_only.wait_for(1) and sessions_only.wait_for(1)
        assert users_only.types() == ["user.created"]
        assert sessions_only.types() == ["session.created"]
    finally:
        users_only.down()
        sessions_only.down()


@pytest.mark.django_db
def test_an_event_whose_cause_rolls_back_is_never_queued_or_sent(receiver, subscribe, make_user):
    subscribe(receiver.url, "user.created")
    with pytest.raises(RuntimeError), transaction.atomic():
        make_user("ghost")
        assert WebhookDelivery.objects.count() == 1  # queued inside the cause's transaction ...
        raise RuntimeError("the cause fails")
    assert WebhookDelivery.objects.count() == 0  # ... and gone with it
    drain(now=later())
    assert receiver.attempts == []


@pytest.mark.django_db
def test_the_secret_is_not_readable_from_the_database(subscribe):
    subscribe("https://hooks.example.com/in", "user.created")
    secret_body = SECRET.removeprefix("whsec_")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_webhookendpoint")
        rows = cursor.fetchall()
    dumped = repr(rows)
    assert rows and secret_body not in dumped and secret_body[:16] not in dumped


@pytest.mark.django_db
def test_dead_after_the_last_attempt_then_resent_from_the_admin_with_the_same_id(
    receiver, subscribe, make_user, admin_client, settings
):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "WEBHOOK_MAX_ATTEMPTS": 3}
    subscribe(receiver.url, "user.created")
    receiver.down()
    make_user("alice")
    for hours in (1, 2, 3):
        drain(now=later(hours * 3))
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DEAD, 3)
    drain(now=later(48))
    assert WebhookDelivery.objects.get().attempts == 3  # dead rows are not tried again

    receiver.up()
    response = admin_client.post(
        "/admin/accounts/webhookdelivery/", {"action": "resend", "_selected_action": [delivery.pk]}, follow=True
    )
    assert response.status_code == 200 and b"1 delivery queued again" in response.content
    drain()
    [(headers, payload)] = receiver.wait_for(1)
    assert headers["webhook-id"] == delivery.message_id and payload["type"] == "user.created"
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


@pytest.mark.django_db
def test_a_delivery_for_an_endpoint_that_stopped_subscribing_is_dropped_not_sent(receiver, subscribe, make_user):
    # Another process's memory of the subscriptions may be a few seconds old: the sender checks again.
    endpoint = subscribe(receiver.url, "user.created,user.deleted")
    make_user("alice")
    endpoint.events = "user.deleted"
    endpoint.save()
    drain()
    assert receiver.attempts == []
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DROPPED


def test_the_running_servers_sender_retries_by_itself_until_the_receiver_is_back(
    sender_thread, receiver, subscribe, settings
):
    # Repro: receiver down when the event commits; the background thread retries (short backoff here) and,
    # once the receiver listens again, delivers it with the webhook-id of the failed attempts.
    from django.contrib.auth import get_user_model

    from tests.conftest import wait_until

    settings.GATEHOUSE = {**settings.GATEHOUSE, "WEBHOOK_RETRY_SECONDS": 0.2, "WEBHOOK_RETRY_MAX_SECONDS": 0.5}
    subscribe(receiver.url, "user.created")
    receiver.down()
    get_user_model().objects.create_user(username="carol", email="carol@example.com", password="x" * 20)
    wait_until(lambda: WebhookDelivery.objects.filter(attempts__gte=2).exists(), what="two failed attempts")
    receiver.up()
    [(headers, payload)] = receiver.wait_for(1)
    delivery = WebhookDelivery.objects.get()
    assert headers["webhook-id"] == delivery.message_id and payload["data"]["user"]["username"] == "carol"
    wait_until(lambda: WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED, what="the row marked")
