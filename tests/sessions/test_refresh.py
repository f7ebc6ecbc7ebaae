from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import RefreshSession, RevocationReason, SecurityEvent, SecurityEventKind

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def assert_refresh_refused(response):
    assert response.status_code == 401
    assert response.json() == {"detail": "The refresh token is not valid. Log in again.", "code": "refresh_invalid"}
    cookie = response.cookies["refresh_token"]
    assert cookie.value == "" and int(cookie["max-age"]) == 0 and cookie["path"] == "/api/auth/"


def test_refresh_rotates_the_refresh_token_and_issues_a_new_access_token(logged_in):
    old_access, old_refresh = logged_in.access, logged_in.refresh_token

    response = logged_in.refresh()

    assert response.status_code == 200
    assert set(response.json()) == {"access", "token_type", "expires_in"}
    assert response.json()["expires_in"] == 300
    assert response["Cache-Control"] == "no-store"
    assert logged_in.refresh_token != old_refresh
    assert logged_in.access != old_access
    assert logged_in.get("/api/auth/me/").status_code == 200
    session = RefreshSession.objects.get()
    assert session.generation == 1
    assert session.rotated_at == session.last_used_at


def test_each_rotated_token_can_be_used_once_in_a_chain(logged_in):
    for _ in range(5):
        assert logged_in.refresh().status_code == 200
    assert RefreshSession.objects.get().generation == 5


def test_refresh_without_cookie_is_refused(client, db):
    assert_refresh_refused(client.post("/api/auth/refresh/"))


@pytest.mark.parametrize(
    "token",
    ["garbage", "a.b.c", "0" * 32 + ".0." + "A" * 43, "x" * 5000, "", "..", "ffffffffffffffffffffffffffffffff.-1.abc",
     "ffffffffffffffffffffffffffffffff.\u00b2.abc"],
)
def test_unknown_or_malformed_refresh_tokens_are_refused(logged_in, token):
    assert_refresh_refused(logged_in.refresh(token))
    assert RefreshSession.objects.get().revoked_at is None


def test_forged_mac_for_a_real_session_is_refused_without_revoking_it(logged_in):
    session_part = logged_in.refresh_token.rsplit(".", 1)[0]

    assert_refresh_refused(logged_in.refresh(session_part + "." + "A" * 43))

    assert RefreshSession.objects.get().revoked_at is None


def test_just_replaced_token_within_grace_gets_the_current_token_again(logged_in):
    first = logged_in.refresh_token
    assert logged_in.refresh().status_code == 200
    current = logged_in.refresh_token

    again = logged_in.refresh(first)

    assert again.status_code == 200
    assert again.cookies["refresh_token"].value == current
    assert RefreshSession.objects.get().generation == 1  # chain not advanced
    assert logged_in.get("/api/auth/me/").status_code == 200


def test_just_replaced_token_after_grace_revokes_the_whole_session(logged_in):
    first = logged_in.refresh_token
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert logged_in.refresh().status_code == 200
        current_access = logged_in.access
        clock.shift(timedelta(seconds=11))

        assert_refresh_refused(logged_in.refresh(first))

        session = RefreshSession.objects.get()
        assert session.revoked_reason == RevocationReason.REUSE_DETECTED
        assert_refresh_refused(logged_in.refresh())  # the current token dies with its family
        logged_in.access = current_access
        assert logged_in.get("/api/auth/me/").status_code == 401
    event = SecurityEvent.objects.get(kind=SecurityEventKind.REUSE_DETECTED)
    assert event.session_id == session.id and event.user == session.user


def test_older_generation_within_grace_is_reuse(logged_in):
    first = logged_in.refresh_token
    logged_in.refresh()
    logged_in.refresh()

    assert_refresh_refused(logged_in.refresh(first))

    assert RefreshSession.objects.get().revoked_reason == RevocationReason.REUSE_DETECTED


def test_session_ends_after_idle_limit(logged_in):
    with time_machine.travel(timezone.now() + 7 * DAY + timedelta(seconds=1)):
        assert_refresh_refused(logged_in.refresh())


def test_use_within_idle_limit_keeps_the_session_going(logged_in):
    start = timezone.now()
    for days in (6, 12, 18):
        with time_machine.travel(start + days * DAY):
            assert logged_in.refresh().status_code == 200


def test_rotation_never_extends_the_absolute_limit(logged_in):
    start = timezone.now()
    for days in range(6, 30, 6):
        with time_machine.travel(start + days * DAY):
            assert logged_in.refresh().status_code == 200
    with time_machine.travel(start + 29 * DAY + timedelta(hours=23)):
        response = logged_in.refresh()
        assert response.status_code == 200
        assert int(response.cookies["refresh_token"]["max-age"]) <= 3600
    with time_machine.travel(start + 30 * DAY + timedelta(seconds=1)):
        assert_refresh_refused(logged_in.refresh())


def test_access_token_dies_with_its_session_at_the_absolute_limit(logged_in):
    start = timezone.now()
    for days in range(6, 30, 6):
        with time_machine.travel(start + days * DAY):
            assert logged_in.refresh().status_code == 200
    with time_machine.travel(start + 30 * DAY - timedelta(minutes=1)):
        assert logged_in.refresh().status_code == 200  # an access token good for 5 more minutes
    with time_machine.travel(start + 30 * DAY + timedelta(seconds=1)):
        response = logged_in.get("/api/auth/me/")  # still in date, but its session has ended
        assert response.status_code == 401
        assert response.json()["code"] == "session_ended"


def test_refresh_of_inactive_user_is_refused(logged_in, user):
    user.is_active = False
    user.save()

    assert_refresh_refused(logged_in.refresh())


def test_inactive_user_is_refused_even_if_their_sessions_were_not_revoked(logged_in, user, django_user_model):
    django_user_model.objects.filter(pk=user.pk).update(is_active=False)  # no signal: sessions stay "active"

    assert logged_in.get("/api/auth/me/").json()["code"] == "session_ended"
    assert_refresh_refused(logged_in.refresh())


def test_refresh_of_deleted_user_is_refused(logged_in, user):
    user.delete()

    assert_refresh_refused(logged_in.refresh())


def test_idle_limit_follows_settings(settings, client, user):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "REFRESH_TOKEN_IDLE_TTL": 3600}
    from tests.conftest import login

    response = login(client)

    assert abs(int(response.cookies["refresh_token"]["max-age"]) - 3600) <= 2
