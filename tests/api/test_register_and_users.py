import pytest
from django.contrib.auth import get_user_model

from tests.conftest import login

pytestmark = pytest.mark.django_db

User = get_user_model()


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
    make_user("boss", is_staff=True)
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
    make_user("boss", is_staff=True)
    User.objects.bulk_create(User(username=f"user{i:03}") for i in range(60))

    body = log_in("boss").get("/api/auth/users/").json()

    assert body["count"] == 61 and len(body["results"]) == 50 and body["next"]


def test_user_list_is_403_for_non_staff(logged_in):
    response = logged_in.get("/api/auth/users/")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_user_list_is_401_without_token(client, db):
    assert client.get("/api/auth/users/").status_code == 401
