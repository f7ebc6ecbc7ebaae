"""Which language an answer is in: the account's saved one, else Accept-Language, else English."""
import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

LANGUAGES = "/api/auth/languages/"
ME = "/api/auth/me/"


def test_the_offered_languages_are_listed_with_their_own_names_and_directions():
    response = APIClient().get(LANGUAGES)

    assert response.status_code == 200
    assert response.json() == [
        {"code": "en", "name": "English", "direction": "ltr"},
        {"code": "de", "name": "Deutsch", "direction": "ltr"},
        {"code": "fr", "name": "français", "direction": "ltr"},
        {"code": "es", "name": "español", "direction": "ltr"},
        {"code": "pt-br", "name": "Português Brasileiro", "direction": "ltr"},
        {"code": "ar", "name": "العربيّة", "direction": "rtl"},
    ]
    assert response["Cache-Control"] == "public, max-age=300"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.5", "de"),
        ("pt-BR", "pt-br"),
        ("ar-EG", "ar"),
        ("fr-CA;q=0.8, es;q=0.9", "es"),
        ("ja, nl", "en"),
        ("", "en"),
        ("*", "en"),
        ("x" * 500, "en"),
    ],
)
def test_an_anonymous_answer_is_in_the_best_offered_match_of_accept_language(header, expected):
    response = APIClient().get("/api/auth/password-rules/", HTTP_ACCEPT_LANGUAGE=header)

    assert response["Content-Language"] == expected
    assert "Accept-Language" in response["Vary"]


def test_a_saved_language_wins_over_accept_language(logged_in, user):
    user.language = "ar"
    user.save(update_fields=["language"])

    response = logged_in.get(ME, HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 200
    assert response["Content-Language"] == "ar"


def test_without_a_saved_language_the_signed_in_answer_follows_accept_language(logged_in):
    assert logged_in.get(ME, HTTP_ACCEPT_LANGUAGE="fr")["Content-Language"] == "fr"


def test_an_offered_language_is_saved_and_shown(logged_in):
    response = logged_in.client.patch(ME, {"language": "pt-br"}, format="json", **logged_in.bearer)

    assert response.status_code == 200, response.content
    assert response.json()["language"] == "pt-br"
    assert logged_in.get(ME).json()["language"] == "pt-br"


@pytest.mark.parametrize("code", ["xx", "pt_BR", "PT-BR", "de-de", "en-us", "*", "ara"])
def test_a_language_not_offered_is_refused_with_400(logged_in, code):
    response = logged_in.client.patch(ME, {"language": code}, format="json", **logged_in.bearer)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "language" in response.json()["fields"]


def test_a_request_does_not_leave_its_language_active_for_what_runs_after_it():
    from django.utils import translation

    APIClient().get(LANGUAGES, HTTP_ACCEPT_LANGUAGE="de")

    assert translation.get_language() == "en"
