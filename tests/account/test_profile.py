"""PATCH /api/auth/me/: username (canonical uniqueness, recent authentication, a notice), names, language."""
import time

import pytest
import time_machine

from accounts.mail.models import OutboxMessage
from accounts.models import SecurityEvent, SecurityEventKind
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db


def patch(device, body):
    return device.client.patch("/api/auth/me/", body, format="json", **device.bearer)


def test_me_shows_names_and_language(logged_in):
    body = logged_in.get("/api/auth/me/").json()

    assert (body["first_name"], body["last_name"], body["language"]) == ("", "", "")


def test_names_and_language_are_saved_and_shown(logged_in, user):
    response = patch(logged_in, {"first_name": "Alice", "last_name": "Liddell", "language": "en"})

    assert response.status_code == 200, response.content
    assert response.json()["first_name"] == "Alice"
    me = logged_in.get("/api/auth/me/").json()
    assert (me["first_name"], me["last_name"], me["language"]) == ("Alice", "Liddell", "en")
    user.refresh_from_db()
    assert user.language == "en"


@pytest.mark.parametrize("language", ["xx", "de-zz", "EN ", "klingon"])
def test_an_unknown_language_is_400(logged_in, language):
    response = patch(logged_in, {"language": language})

    assert response.status_code == 400
    assert "language" in response.json()["fields"]


def test_languages_come_from_the_languages_setting(logged_in, settings):
    settings.LANGUAGES = [("en", "English"), ("de", "Deutsch")]

    assert patch(logged_in, {"language": "de"}).status_code == 200
    assert patch(logged_in, {"language": "fr"}).status_code == 400


def test_username_change_records_an_event_and_mails_a_notice(logged_in, user, client):
    response = patch(logged_in, {"username": "alice2"})

    assert response.status_code == 200, response.content
    assert response.json()["username"] == "alice2"
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.USERNAME_CHANGED, user=user).count() == 1
    mail = OutboxMessage.objects.get(subject="Your Gatehouse username was changed")
    assert mail.to == "alice@example.com" and "alice2" in mail.body_text
    assert login(client, "alice2", PASSWORD).status_code == 200
    assert login(client, "alice", PASSWORD).status_code == 401


@pytest.mark.parametrize("taken", ["bob", "BOB", "ｂｏｂ"])
def test_username_taken_in_its_canonical_form_is_400(logged_in, make_user, taken):
    make_user("bob")

    response = patch(logged_in, {"username": taken})

    assert response.status_code == 400
    assert "username" in response.json()["fields"]


def test_own_name_in_another_case_is_allowed(logged_in):
    response = patch(logged_in, {"username": "Alice"})

    assert response.status_code == 200
    assert response.json()["username"] == "Alice"


def test_username_change_needs_a_recent_authentication(logged_in, user):
    with time_machine.travel(time.time() + 3600, tick=False):
        logged_in.refresh()
        response = patch(logged_in, {"username": "mallory"})
        names = patch(logged_in, {"first_name": "Still"})

    assert response.status_code == 403
    assert response.json()["code"] == "reauthentication_required"
    assert names.status_code == 200
    user.refresh_from_db()
    assert user.username == "alice"


def test_an_old_session_cannot_probe_whether_a_name_is_taken(logged_in, make_user):
    make_user("bob")
    with time_machine.travel(time.time() + 3600, tick=False):
        logged_in.refresh()
        taken = patch(logged_in, {"username": "bob"})
        free = patch(logged_in, {"username": "carol"})

    assert taken.status_code == free.status_code == 403
    assert taken.json() == free.json()


def test_a_personal_token_may_read_me_but_not_change_it(logged_in, user):
    logged_in.client.credentials()
    created = logged_in.post("/api/auth/tokens/", {"name": "script", "expires_in_days": 1, "scopes": ["profile:read"]}).json()["token"]
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {created}"}

    assert logged_in.client.get("/api/auth/me/", **bearer).status_code == 200
    assert logged_in.client.patch("/api/auth/me/", {"first_name": "X"}, format="json", **bearer).status_code == 403
    assert logged_in.client.delete("/api/auth/me/", **bearer).status_code == 403
    user.refresh_from_db()
    assert user.first_name == ""
