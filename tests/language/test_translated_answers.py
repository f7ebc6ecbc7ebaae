"""The API's messages and the mail in the user's language: the same ``code`` whatever the language."""
import re
import uuid

import pytest
from rest_framework.test import APIClient

from accounts.mail import outbox
from accounts.mail.models import OutboxMessage
from tests.conftest import PASSWORD, login
from tests.smtp import body_text

pytestmark = pytest.mark.django_db

WRONG = {"username": "alice", "password": "not the password"}


def wrong_login(language):
    return APIClient().post("/api/auth/login/", WRONG, format="json", HTTP_ACCEPT_LANGUAGE=language)


def test_a_refused_login_is_explained_in_german_and_arabic_with_the_same_code(user):
    english, german, arabic = (wrong_login(language) for language in ("en", "de", "ar"))

    assert {english.status_code, german.status_code, arabic.status_code} == {401}
    assert english.json() == {"detail": "Invalid username or password.", "code": "invalid_credentials"}
    assert german.json() == {"detail": "Benutzername oder Passwort ist falsch.", "code": "invalid_credentials"}
    assert arabic.json() == {"detail": "اسم المستخدم أو كلمة المرور غير صحيحة.", "code": "invalid_credentials"}
    assert (german["Content-Language"], arabic["Content-Language"]) == ("de", "ar")


def test_validation_messages_of_a_field_are_translated_and_keep_their_code(make_user):
    make_user("bob")
    body = {"username": "bob", "email": "bob2@example.com", "password": "a long enough passphrase 42"}

    responses = {
        language: APIClient().post("/api/auth/register/", body, format="json", HTTP_ACCEPT_LANGUAGE=language)
        for language in ("en", "de", "ar")
    }

    assert {response.status_code for response in responses.values()} == {400}
    assert {response.json()["code"] for response in responses.values()} == {"invalid"}
    assert responses["en"].json()["fields"]["username"] == ["That username is taken."]
    assert responses["de"].json()["fields"]["username"] == ["Dieser Benutzername ist vergeben."]
    assert responses["ar"].json()["fields"]["username"] == ["اسم المستخدم هذا مأخوذ."]
    assert responses["de"].json()["detail"] == "Dieser Benutzername ist vergeben."


def test_an_unknown_route_and_django_and_drf_messages_are_translated_too():
    german = APIClient().get("/api/auth/nothing-here/", HTTP_ACCEPT_LANGUAGE="de")
    # DRF's own message (no token), from DRF's German catalog.
    no_token = APIClient().get("/api/auth/me/", HTTP_ACCEPT_LANGUAGE="de")

    assert german.status_code == 404 and german.json() == {"detail": "Nicht gefunden.", "code": "not_found"}
    assert no_token.status_code == 401 and no_token.json()["code"] == "not_authenticated"
    assert no_token.json()["detail"] != "Authentication credentials were not provided."


def test_the_password_rules_follow_the_language():
    english = APIClient().get("/api/auth/password-rules/").json()["rules"]
    german = APIClient().get("/api/auth/password-rules/", HTTP_ACCEPT_LANGUAGE="de").json()["rules"]

    assert len(english) == len(german) and "Das Passwort muss mindestens 10 Zeichen enthalten." in german


def test_a_saved_language_wins_over_accept_language_for_the_messages(logged_in, user):
    user.language = "de"
    user.save(update_fields=["language"])

    response = logged_in.delete(f"/api/auth/sessions/{uuid.uuid4()}/", HTTP_ACCEPT_LANGUAGE="ar")

    assert response.status_code == 404
    assert response.json() == {"detail": "Diese Sitzung gibt es nicht.", "code": "not_found"}
    assert response["Content-Language"] == "de"


def test_a_saved_language_answers_a_personal_token_too(logged_in, user):
    created = logged_in.post("/api/auth/tokens/", {"name": "ci", "expires_in_days": 7, "scopes": ["profile:read"]})
    assert created.status_code == 201, created.content
    user.language = "fr"
    user.save(update_fields=["language"])

    # A personal token may not list sessions: refused after authentication, in French.
    response = APIClient().get(
        "/api/auth/sessions/", HTTP_AUTHORIZATION=f"Bearer {created.json()['token']}", HTTP_ACCEPT_LANGUAGE="de"
    )

    assert response.status_code == 403 and response.json()["code"] == "personal_token_not_allowed"
    assert response.json()["detail"].startswith("Un jeton d’accès personnel ne peut pas être utilisé ici")


def test_activity_labels_are_in_the_saved_language(logged_in, user):
    user.language = "es"
    user.save(update_fields=["language"])

    labels = [event["label"] for event in logged_in.get("/api/auth/activity/").json()["results"]]

    assert labels == ["Sesión iniciada"]


# --- mail ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def mail_set_up(settings, smtp_server):
    settings.SITE_URL = "https://gatehouse.test"
    return smtp_server


def delivered(smtp_server, count):
    while outbox.deliver_due():
        pass
    return smtp_server.wait_for(count)


def test_the_reset_mail_comes_in_the_saved_language_whatever_the_request_asked(mail_set_up, user):
    user.language = "de"
    user.save(update_fields=["language"])

    response = APIClient().post(
        "/api/auth/password-reset/", {"email": "alice@example.com"}, format="json", HTTP_ACCEPT_LANGUAGE="ar"
    )

    assert response.status_code == 202
    # The answer is the requester's (Arabic): it must not tell whether the address has an account.
    assert response["Content-Language"] == "ar"
    (mail,) = delivered(mail_set_up, 1)
    assert mail["Subject"] == "Setzen Sie Ihr Gatehouse-Passwort zurück"
    text = body_text(mail)
    assert text.startswith("Hallo alice,") and re.search(r"innerhalb von \d+ Minuten:", text)
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert '<html lang="de" dir="ltr">' in html and "Neues Passwort wählen" in html


def test_arabic_mail_is_right_to_left_and_a_mail_without_a_saved_language_is_english(mail_set_up, make_user):
    make_user("amal", email="amal@example.com", language="ar")
    make_user("erin", email="erin@example.com")

    for address in ("amal@example.com", "erin@example.com"):
        APIClient().post("/api/auth/password-reset/", {"email": address}, format="json", HTTP_ACCEPT_LANGUAGE="de")

    mails = {mail["To"]: mail for mail in delivered(mail_set_up, 2)}
    arabic = mails["amal@example.com"]
    assert str(arabic["Subject"]).strip() == "أعد تعيين كلمة مرورك على Gatehouse"
    assert '<html lang="ar" dir="rtl">' in arabic.get_body(preferencelist=("html",)).get_content()
    assert mails["erin@example.com"]["Subject"] == "Reset your Gatehouse password"


def test_the_language_is_the_one_saved_when_the_mail_was_queued(mail_set_up, logged_in, user):
    user.language = "fr"
    user.save(update_fields=["language"])
    assert logged_in.post("/api/auth/password/", {"current_password": PASSWORD,
                                                    "new_password": "a brand new passphrase 42"}).status_code == 204
    user.language = "es"
    user.save(update_fields=["language"])  # after the queueing: the queued mail stays French

    (mail,) = delivered(mail_set_up, 1)
    assert mail["Subject"] == "Votre mot de passe Gatehouse a été modifié"


def test_a_sign_in_code_is_hidden_in_the_kept_copy_in_every_language(mail_set_up, settings, make_user):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "LOGIN_BY_CODE": True}
    for number, (code, _name) in enumerate(settings.LANGUAGES):
        make_user(f"user{number}", email=f"user{number}@example.com", language=code)
        response = APIClient().post("/api/auth/login/code/", {"email": f"user{number}@example.com"}, format="json")
        assert response.status_code == 202, response.content

    delivered(mail_set_up, len(settings.LANGUAGES))
    for kept in OutboxMessage.objects.all():
        assert "[hidden]" in kept.body_text and "[hidden]" in kept.body_html
        assert not any(line.strip().isdigit() for line in kept.body_text.splitlines()), kept.body_text
    assert login  # the shared helpers stay importable from here
