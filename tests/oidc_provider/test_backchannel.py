"""Back-channel logout's outbox: queued with the session's end, retried after a failure, dead after the last try."""
import pytest
from django.utils import timezone

from accounts.models import RefreshSession, RevocationReason
from accounts.oidc_provider import logout
from accounts.oidc_provider.models import BackchannelLogout, ClientGrant, LogoutStatus
from accounts.sessions import lifecycle
from tests.oidc_provider.test_flows import code_for, exchange

pytestmark = pytest.mark.django_db


def grant_with_logout_uri(logged_in, confidential, uri):
    confidential.backchannel_logout_uri = uri
    confidential.save()
    params, verifier = code_for(logged_in, scope="openid offline_access")
    assert exchange(logged_in.client, params["code"], verifier).status_code == 200
    return ClientGrant.objects.get()


def test_a_failed_delivery_is_retried_later_then_dead(logged_in, confidential, settings, unused_port):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "WEBHOOK_MAX_ATTEMPTS": 2, "WEBHOOK_TIMEOUT_SECONDS": 2}
    grant = grant_with_logout_uri(logged_in, confidential, f"http://127.0.0.1:{unused_port}/bc")
    lifecycle.revoke_session(session=RefreshSession.objects.get(pk=grant.pk), reason=RevocationReason.ADMIN_REVOKED)
    row = BackchannelLogout.objects.get()
    assert row.sid == str(grant.pk) and row.status == LogoutStatus.QUEUED

    assert logout.deliver_due() == 1
    row.refresh_from_db()
    assert row.status == LogoutStatus.QUEUED and row.attempts == 1 and row.next_attempt_at > timezone.now()
    assert "Error" in row.last_error or "refused" in row.last_error.lower()
    assert logout.deliver_due() == 0  # not due yet

    assert logout.deliver_due(now=row.next_attempt_at) == 1
    row.refresh_from_db()
    assert row.status == LogoutStatus.DEAD and row.attempts == 2


def test_an_ended_grant_is_told_once(logged_in, confidential, user):
    grant_with_logout_uri(logged_in, confidential, "https://app.example/bc")
    assert logged_in.post("/api/auth/logout-all/").status_code in (200, 204)
    user.is_active = False
    user.save()  # deactivation ends the sessions again: nothing new to tell
    assert BackchannelLogout.objects.count() == 1


def test_a_rolled_back_revocation_queues_nothing(logged_in, confidential):
    from django.db import transaction

    grant = grant_with_logout_uri(logged_in, confidential, "https://app.example/bc")
    with pytest.raises(RuntimeError), transaction.atomic():
        lifecycle.revoke_session(session=RefreshSession.objects.get(pk=grant.pk), reason=RevocationReason.LOGOUT)
        raise RuntimeError
    assert not BackchannelLogout.objects.exists()
    assert RefreshSession.objects.get(pk=grant.pk).revoked_at is None


@pytest.fixture
def unused_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
