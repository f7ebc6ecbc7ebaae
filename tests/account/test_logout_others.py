"""POST /api/auth/logout-others/: every session of the caller but this one ends."""
import pytest

from accounts.models import RefreshSession, RevocationReason, SecurityEvent, SecurityEventKind

pytestmark = pytest.mark.django_db


def test_logout_others_ends_every_other_session_and_keeps_this_one(logged_in, log_in, make_user):
    laptop, phone = log_in(), log_in()
    make_user("bob")
    bob = log_in("bob")

    response = logged_in.post("/api/auth/logout-others/")

    assert response.status_code == 204
    for device in (laptop, phone):
        assert device.get("/api/auth/me/").status_code == 401
        assert device.refresh().status_code == 401
    assert logged_in.get("/api/auth/me/").status_code == 200
    assert logged_in.refresh().status_code == 200
    assert bob.get("/api/auth/me/").status_code == 200
    ended = RefreshSession.objects.filter(user__username="alice", revoked_at__isnull=False)
    assert set(ended.values_list("revoked_reason", flat=True)) == {RevocationReason.LOGOUT_OTHERS}
    assert ended.count() == 2
    assert SecurityEvent.objects.filter(
        kind=SecurityEventKind.SESSION_REVOKED, reason=RevocationReason.LOGOUT_OTHERS, user__username="alice"
    ).count() == 1


def test_logout_others_needs_an_access_token(client, db):
    assert client.post("/api/auth/logout-others/").status_code == 401
