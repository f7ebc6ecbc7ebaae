"""The app's HTML shell in the request's language: what shows before (or without) JavaScript.

Repro (issue 25, item 2): with JavaScript off a German or Arabic reader got
"Gatehouse needs JavaScript to run." in English, under ``<html lang="en">``.
"""
import pytest

pytestmark = pytest.mark.django_db


def shell(client, language, path="/login"):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response


def test_the_noscript_text_is_in_german_under_html_lang_de(client):
    response = shell(client, "de-DE,de;q=0.9,en;q=0.5")
    html = response.content.decode()

    assert '<html lang="de" dir="ltr">' in html
    assert "Gatehouse braucht JavaScript. Bitte aktivieren Sie es und laden Sie die Seite neu." in html
    assert "needs JavaScript" not in html
    assert "Zum Inhalt springen" in html and "Gatehouse wird geladen…" in html
    assert response["Content-Language"] == "de" and "Accept-Language" in response["Vary"]


def test_the_shell_is_right_to_left_in_arabic(client):
    html = shell(client, "ar").content.decode()

    assert '<html lang="ar" dir="rtl">' in html
    assert "يحتاج Gatehouse إلى JavaScript ليعمل. فعّله من فضلك وأعد تحميل الصفحة." in html


def test_an_unoffered_language_gets_the_english_shell(client):
    html = shell(client, "ja").content.decode()

    assert '<html lang="en" dir="ltr">' in html
    assert "Gatehouse needs JavaScript to run. Please enable it and reload the page." in html


def test_a_not_found_page_is_in_the_language_too(client):
    response = client.get("/no-such-page", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 404
    assert '<html lang="fr" dir="ltr">' in response.content.decode()
