import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from tests.conftest import login

pytestmark = pytest.mark.django_db

User = get_user_model()


def with_view_user(user):
    """Grant ``accounts.view_user``, the permission the staff user list needs."""
    user.user_permissions.add(Permission.objects.get(content_type__app_label="accounts", codename="view_user"))
    return user


def register(client, **body):
    data = {"username": "carol", "email": "carol@example.com", "password": "a long enough passphrase"} | body
    return client.post("/api/auth/register/", data, format="json")


def test_sign_up_creates_a_user_who_can_log_in(client):
    response = register(client)

    assert response.status_code == 201
    assert response.json()["username"] == "carol"
    assert login(client, "carol", "a long enough passphrase").status_code == 200


@pytest.mark.parametrize(
    "body, field",
    [
        ({"username": "alice"}, "username"),
        ({"username": "ALICE"}, "username"),
        ({"username": "bad name!"}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "carolexample"}, "password"),
        ({"username": ""}, "username"),
    ],
)
def test_sign_up_rejects_bad_input_with_field_messages(client, user, body, field):
    response = register(client, **body)

    assert response.status_code == 400
    assert response.json()["fields"][field]


def test_sign_up_is_404_when_disabled(client, settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "SIGNUP_ENABLED": False}

    response = register(client)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not User.objects.filter(username="carol").exists()


def test_staff_user_list_shows_active_session_counts(make_user, log_in):
    with_view_user(make_user("boss", is_staff=True))
    make_user("alice")
    boss = log_in("boss")
    log_in("alice")
    log_in("alice")
    log_in("alice").post("/api/auth/logout-all/")
    log_in("alice")

    response = boss.get("/api/auth/users/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and body["next"] is None
    counts = {row["username"]: row["active_sessions"] for row in body["results"]}
    assert counts == {"alice": 1, "boss": 1}


def test_staff_user_list_is_paginated(make_user, log_in):
    with_view_user(make_user("boss", is_staff=True))
    User.objects.bulk_create(User(username=f"user{i:03}") for i in range(60))

    body = log_in("boss").get("/api/auth/users/").json()

    assert body["count"] == 61 and len(body["results"]) == 50 and body["next"]


def test_user_list_is_403_for_non_staff(logged_in):
    response = logged_in.get("/api/auth/users/")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_user_list_is_403_for_staff_without_the_view_user_permission(make_user, log_in):
    # Repro: any is_staff account read every user through GET /api/auth/users/,
    # while the same account got 403 on every admin page.
    make_user("helpdesk", is_staff=True)

    response = log_in("helpdesk").get("/api/auth/users/")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You do not have permission to perform this action.", "code": "permission_denied",
    }


def test_user_list_is_200_for_staff_with_the_view_user_permission_and_for_superusers(make_user, log_in):
    with_view_user(make_user("auditor", is_staff=True))
    make_user("root", is_staff=True, is_superuser=True)

    for name in ("auditor", "root"):
        response = log_in(name).get("/api/auth/users/")
        assert response.status_code == 200, name
        assert {row["username"] for row in response.json()["results"]} == {"auditor", "root"}


def test_user_list_is_403_for_non_staff_even_with_the_view_user_permission(make_user, log_in):
    with_view_user(make_user("alice"))

    response = log_in("alice").get("/api/auth/users/")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_user_list_is_401_without_token(client, db):
    assert client.get("/api/auth/users/").status_code == 401
