import pytest

from accounts.models import RefreshSession, RevocationReason, SecurityEvent, SecurityEventKind
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_me_returns_the_logged_in_user(logged_in, user):
    response = logged_in.get("/api/auth/me/")

    assert response.status_code == 200
    assert response.json()["username"] == "alice" and response.json()["id"] == user.id


@pytest.mark.parametrize("path", ["/api/auth/me/", "/api/auth/sessions/"])
def test_secured_routes_need_a_bearer_token(client, db, path):
    response = client.get(path)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "not_authenticated"


def test_sessions_lists_active_sessions_and_marks_this_one(logged_in, log_in):
    log_in(HTTP_USER_AGENT="Phone", REMOTE_ADDR="198.51.100.7")
    ended = log_in()
    ended.post("/api/auth/logout/")

    response = logged_in.get("/api/auth/sessions/")

    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 2
    assert set(rows[0]) == {"id", "created_at", "last_used_at", "expires_at", "ip_address", "user_agent", "device", "device_kind", "current"}
    assert [row["current"] for row in rows].count(True) == 1
    phone = next(row for row in rows if row["user_agent"] == "Phone")
    assert phone["ip_address"] == "198.51.100.7" and phone["current"] is False


def test_revoking_a_session_cuts_its_refresh_and_access_tokens(logged_in, log_in):
    other = log_in()
    other_id = next(row["id"] for row in logged_in.get("/api/auth/sessions/").json() if not row["current"])

    response = logged_in.delete(f"/api/auth/sessions/{other_id}/")

    assert response.status_code == 204
    assert other.get("/api/auth/me/").status_code == 401
    assert other.refresh().status_code == 401
    assert logged_in.get("/api/auth/me/").status_code == 200
    assert RefreshSession.objects.get(pk=other_id).revoked_reason == RevocationReason.USER_REVOKED


def test_one_user_can_never_see_or_revoke_another_users_session(logged_in, log_in, make_user):
    make_user("mallory")
    mallory = log_in("mallory")
    alice_session = str(RefreshSession.objects.get(user__username="alice").id)

    assert alice_session not in mallory.get("/api/auth/sessions/").content.decode()
    response = mallory.delete(f"/api/auth/sessions/{alice_session}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert logged_in.get("/api/auth/me/").status_code == 200


@pytest.mark.parametrize("session_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_revoking_an_unknown_session_is_404_json(logged_in, session_id):
    response = logged_in.delete(f"/api/auth/sessions/{session_id}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_logout_revokes_the_session_and_clears_the_cookie(logged_in):
    access = logged_in.access
    logged_in.client.cookies["refresh_token"] = logged_in.refresh_token

    response = logged_in.client.post("/api/auth/logout/")

    assert response.status_code == 204
    assert response.cookies["refresh_token"].value == ""
    assert RefreshSession.objects.get().revoked_reason == RevocationReason.LOGOUT
    assert logged_in.refresh().status_code == 401
    logged_in.access = access
    assert logged_in.get("/api/auth/me/").status_code == 401
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGOUT).count() == 1


@pytest.mark.parametrize("cookie", [None, "garbage", "0" * 32 + ".0." + "A" * 43, "0" * 32 + ".\u00b2." + "A" * 43])
def test_logout_is_idempotent(client, db, cookie):
    if cookie is not None:
        client.cookies["refresh_token"] = cookie

    assert client.post("/api/auth/logout/").status_code == 204
    assert client.post("/api/auth/logout/").status_code == 204


def test_logout_all_ends_every_session_of_the_user_only(logged_in, log_in, make_user):
    other_device = log_in()
    make_user("bob")
    bob = log_in("bob")

    response = logged_in.post("/api/auth/logout-all/")

    assert response.status_code == 204
    for device in (logged_in, other_device):
        assert device.get("/api/auth/me/").status_code == 401
        assert device.refresh().status_code == 401
    assert bob.get("/api/auth/me/").status_code == 200
    assert RefreshSession.objects.active().filter(user__username="alice").count() == 0


def test_password_change_keeps_this_session_and_ends_the_others(logged_in, log_in, user):
    other = log_in()

    response = logged_in.post(
        "/api/auth/password/", {"current_password": PASSWORD, "new_password": "a brand new passphrase"}
    )

    assert response.status_code == 204
    assert other.get("/api/auth/me/").status_code == 401
    assert other.refresh().status_code == 401
    assert logged_in.get("/api/auth/me/").status_code == 200
    assert logged_in.refresh().status_code == 200
    user.refresh_from_db()
    assert user.check_password("a brand new passphrase")
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGED, user=user).count() == 1


def test_password_change_with_wrong_current_password_is_400_with_field_message(logged_in, user):
    response = logged_in.post("/api/auth/password/", {"current_password": "nope", "new_password": "a brand new one"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"]["current_password"] == ["Your current password is not correct."]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("new_password", ["short", "12345678901", "password123", "alice-example"])
def test_password_change_runs_the_password_validators(logged_in, new_password):
    response = logged_in.post("/api/auth/password/", {"current_password": PASSWORD, "new_password": new_password})

    assert response.status_code == 400
    assert response.json()["fields"]["new_password"]


def test_deactivating_a_user_ends_sessions_at_once(logged_in, user):
    user.is_active = False
    user.save()

    assert logged_in.get("/api/auth/me/").status_code == 401
    assert RefreshSession.objects.get().revoked_reason == RevocationReason.USER_DEACTIVATED


def test_access_token_of_an_ended_session_is_refused(logged_in):
    RefreshSession.objects.update(revoked_at="2020-01-01T00:00:00Z")

    response = logged_in.get("/api/auth/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "session_ended"


def test_a_password_set_by_any_other_means_ends_existing_sessions(logged_in, user):
    user.set_password("set from the shell or another tool")
    user.save()

    assert logged_in.get("/api/auth/me/").json()["code"] == "session_ended"
    assert logged_in.refresh().status_code == 401


def test_a_login_racing_a_password_change_yields_a_dead_session(user, django_user_model):
    from accounts.limits.net import ClientInfo
    from accounts.sessions import lifecycle

    stale = django_user_model.objects.get(pk=user.pk)  # as authenticate() saw it, old password
    user.set_password("changed while that login was in flight")
    user.save()

    issued = lifecycle.start_session(user=stale, client=ClientInfo(ip_address=None, user_agent=""))

    assert lifecycle.user_for_access_token(session_id=issued.session.id, user_id=user.pk) is None
    with pytest.raises(lifecycle.RefreshRejected):
        lifecycle.rotate(refresh_token=issued.refresh, client=ClientInfo(ip_address=None, user_agent=""))
