"""``accounts.outbox.claim_due``, the lease every outbox (mail, webhooks, back-channel logouts) claims rows with.

Pinned on a back-channel logout row, both ways of claiming: row locks where
the database has them, and the conditional UPDATE that SQLite uses, forced
on any database. A claimed row is leased: no second claim takes it until the
lease ends, then the next claim takes it with one more attempt counted.
"""
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.oidc_provider import clients
from accounts.oidc_provider.models import BackchannelLogout, LogoutStatus
from accounts.outbox import claim_due

pytestmark = pytest.mark.django_db
LEASE = timedelta(minutes=5)


@pytest.fixture(params=["as the database claims", "by the conditional update"])
def claim_path(request, monkeypatch):
    if request.param == "by the conditional update":
        monkeypatch.setattr(connection.features, "has_select_for_update_skip_locked", False)
    return request.param


def _rows(count):
    client, _ = clients.set_client("claims", clients.ClientSettings(redirect_uris=["https://app.example/cb"]))
    now = timezone.now()
    return [BackchannelLogout.objects.create(client=client, jti=f"jti-{n}", subject="1", sid=f"sid-{n}",
                                             next_attempt_at=now - timedelta(seconds=count - n))
            for n in range(count)]


def _due(now):
    return (BackchannelLogout.objects.filter(status__in=[LogoutStatus.QUEUED, LogoutStatus.SENDING],
                                             next_attempt_at__lte=now).order_by("next_attempt_at", "pk"))


def _claim(now, limit=10):
    return claim_due(_due(now), now=now, limit=limit, sending=LogoutStatus.SENDING, lease=LEASE)


def test_a_claim_leases_the_due_rows_oldest_first_up_to_its_limit(claim_path):
    rows = _rows(3)
    now = timezone.now()
    claimed = _claim(now, limit=2)
    assert [row.pk for row in claimed] == [rows[0].pk, rows[1].pk]
    for row in claimed:  # the returned rows say what the UPDATE wrote
        assert (row.status, row.attempts, row.next_attempt_at) == (LogoutStatus.SENDING, 1, now + LEASE)
        stored = BackchannelLogout.objects.get(pk=row.pk)
        assert (stored.status, stored.attempts, stored.next_attempt_at) == (LogoutStatus.SENDING, 1, now + LEASE)
    assert BackchannelLogout.objects.get(pk=rows[2].pk).attempts == 0


def test_a_leased_row_is_not_claimed_again_until_its_lease_ends(claim_path):
    (row,) = _rows(1)
    now = timezone.now()
    assert len(_claim(now)) == 1
    assert _claim(now) == []
    assert _claim(now + LEASE - timedelta(seconds=1)) == []
    (again,) = _claim(now + LEASE)
    assert again.pk == row.pk and again.attempts == 2
