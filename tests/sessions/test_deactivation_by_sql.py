"""Sessions ended by deactivation stay ended, however the deactivation was written (both databases)."""
import pytest
from django.contrib.auth import get_user_model

from accounts.models import RefreshSession, RevocationReason
from accounts.personal_tokens.models import PersonalAccessToken
from tests.conftest import wait_until
from tests.personal_tokens.conftest import Script, create

pytestmark = pytest.mark.django_db(transaction=True)


def deactivate_and_reactivate_with_update(user):
    users = get_user_model().objects.filter(pk=user.pk)
    users.update(is_active=False)  # no save(), no signal: as raw SQL outside Gatehouse would
    users.update(is_active=True)


def test_reactivating_by_update_does_not_bring_back_the_access_token(logged_in, user):
    # Repro: update(is_active=False) then update(is_active=True): the old access token worked again.
    assert logged_in.get("/api/auth/me/").status_code == 200

    deactivate_and_reactivate_with_update(user)

    # At once on SQLite; on PostgreSQL once this process has been notified (milliseconds).
    response = wait_until(lambda: (r := logged_in.get("/api/auth/me/")).status_code == 401 and r, what="a 401")
    assert logged_in.get("/api/auth/me/").status_code == 401
    assert response.json()["code"] == "session_ended"
    assert logged_in.refresh().status_code == 401
    session = RefreshSession.objects.get()
    assert session.revoked_at is not None and session.revoked_reason == RevocationReason.USER_DEACTIVATED


def test_reactivating_by_update_does_not_bring_back_a_personal_token(logged_in, user):
    script = Script(create(logged_in).json()["token"])
    assert script.get("/api/auth/me/").status_code == 200

    deactivate_and_reactivate_with_update(user)

    assert script.get("/api/auth/me/").status_code == 401
    assert PersonalAccessToken.objects.get().revoked_reason == RevocationReason.USER_DEACTIVATED


def test_a_reactivated_user_logs_in_again_and_other_users_keep_their_sessions(logged_in, user, log_in, make_user):
    make_user("bob")
    bob = log_in("bob")

    deactivate_and_reactivate_with_update(user)

    assert bob.get("/api/auth/me/").status_code == 200
    assert log_in("alice").get("/api/auth/me/").status_code == 200


def test_an_edit_that_leaves_is_active_alone_ends_nothing(logged_in, user):
    get_user_model().objects.filter(pk=user.pk).update(is_active=True, first_name="Alice")

    assert logged_in.get("/api/auth/me/").status_code == 200


def test_the_reactivation_trigger_is_in_the_database():
    # A migration that rebuilds the user table on SQLite drops its triggers: this would say so.
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        names = {row[0] for row in cursor.fetchall()}
    assert "gatehouse_user_reactivated" in names
