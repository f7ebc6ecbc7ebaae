from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.webhooks.models import DeliveryStatus, WebhookDelivery

pytestmark = pytest.mark.django_db


def test_cleanup_deletes_finished_deliveries_past_the_retention_and_keeps_pending_ones(subscribe):
    endpoint = subscribe("https://hooks.example.com/in", "user.created")
    old = timezone.now() - timedelta(days=400)
    for number, status in enumerate(DeliveryStatus.values):
        for created_at in (old, timezone.now()):
            WebhookDelivery.objects.create(
                endpoint=endpoint, message_id=f"msg_{number}_{created_at:%Y}", event_type="user.created",
                payload="{}", status=status, created_at=created_at,
            )
    call_command("cleanup_sessions", "--retention-days", "30")
    left = set(WebhookDelivery.objects.filter(created_at__lt=timezone.now() - timedelta(days=30))
               .values_list("status", flat=True))
    assert left == {DeliveryStatus.QUEUED, DeliveryStatus.SENDING}
    assert WebhookDelivery.objects.filter(created_at__gte=timezone.now() - timedelta(days=30)).count() == 5
