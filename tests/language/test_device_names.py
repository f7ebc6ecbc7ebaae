"""A device's name in the reader's language: the words around it translated, the product names kept.

Repro (issue 25): "Chrome on Linux", "Unknown device" and "Team Notes (app)"
stayed English in the sessions and activity lists, the admin and the
security mail of a German or Arabic reader.
"""
import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from accounts.limits.net import ClientInfo
from accounts.mail import notices
from accounts.mail.models import OutboxMessage
from accounts.useragent import describe, device_family, in_sentence
from tests.conftest import login

pytestmark = pytest.mark.django_db

CHROME_LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
ENGINE_ON_LINUX = "Mozilla/5.0 (X11; Linux x86_64) SomeEngine/1.0"


def sessions(language, user_agent=CHROME_LINUX):
    client = APIClient(HTTP_USER_AGENT=user_agent)
    access = login(client).json()["access"]
    answer = client.get("/api/auth/sessions/", HTTP_AUTHORIZATION=f"Bearer {access}", HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 200
    return answer


def test_the_sessions_api_names_the_device_in_german_and_arabic(user):
    german, arabic = sessions("de"), sessions("ar")

    assert german["Content-Language"] == "de" and arabic["Content-Language"] == "ar"
    assert {item["device"] for item in german.json()} == {"Chrome unter Linux"}
    assert {item["device"] for item in arabic.json()} == {"Chrome على Linux"}
    assert {item["device_kind"] for item in arabic.json()} == {"desktop"}


def test_an_accounts_saved_language_wins_over_the_request_and_follows_a_change(user):
    user.language = "de"
    user.save(update_fields=["language"])
    assert {item["device"] for item in sessions("en").json()} == {"Chrome unter Linux"}

    # Named when read, not when stored: the same session in the language saved now.
    user.language = "ar"
    user.save(update_fields=["language"])
    assert {item["device"] for item in sessions("en").json()} == {"Chrome على Linux"}


def test_the_generic_names_are_translated_and_a_product_name_is_not(user):
    def current_device(user_agent):
        (item,) = [item for item in sessions("de", user_agent=user_agent).json() if item["current"]]
        return item["device"]

    assert current_device("") == "Unbekanntes Gerät"
    assert current_device(ENGINE_ON_LINUX) == "Ein Browser unter Linux"
    assert current_device("curl/8.5.0") == "curl"


def test_activity_names_the_device_in_the_requests_language(user):
    client = APIClient(HTTP_USER_AGENT=CHROME_LINUX)
    access = login(client).json()["access"]

    body = client.get("/api/auth/activity/", HTTP_AUTHORIZATION=f"Bearer {access}", HTTP_ACCEPT_LANGUAGE="ar").json()

    (event,) = [row for row in body["results"] if row["kind"] == "login_succeeded"]
    assert event["device"] == "Chrome على Linux" and event["user_agent"] == CHROME_LINUX


def test_an_applications_session_is_named_by_the_application_with_its_suffix_translated():
    # Repro: "Team Notes (app)" (the user agent an OpenID grant's session stores) read as the product "Team".
    assert describe("Team Notes (app)").label == "Team Notes (app)"
    with translation.override("de"):
        assert (describe("Team Notes (app)").label, describe("Team Notes (app)").kind) == ("Team Notes (App)", "other")
    with translation.override("fr"):
        assert describe("Team Notes (app)").label == "Team Notes (application)"


def test_the_known_device_key_stays_english_whatever_the_language():
    # accounts.devices hashes it: a German request must not make a known device new.
    with translation.override("de"):
        assert device_family(CHROME_LINUX) == "Chrome on Linux"
        assert in_sentence(ENGINE_ON_LINUX) == "ein Browser unter Linux"
        assert in_sentence("") == "ein unbekannter Client"


def test_the_admin_names_the_device_in_the_admins_language(make_user, user):
    login(APIClient(HTTP_USER_AGENT=CHROME_LINUX))
    admin = Client()
    admin.force_login(make_user("root", is_staff=True, is_superuser=True))

    html = admin.get("/admin/accounts/refreshsession/", HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert "Chrome unter Linux" in html and "Chrome on Linux" not in html


def test_a_new_device_mail_names_the_device_in_the_accounts_language(user):
    user.language = "de"
    user.save(update_fields=["language"])

    # Queued from a request in French: the mail is still the account's (German), device included.
    with translation.override("fr"):
        notices.new_device(user=user, client=ClientInfo(ip_address="192.0.2.7", user_agent=CHROME_LINUX))
        notices.new_device(user=user, client=ClientInfo(ip_address="192.0.2.8", user_agent=ENGINE_ON_LINUX))

    first, second = OutboxMessage.objects.order_by("created_at", "pk")
    assert "Chrome unter Linux" in first.body_text and "Chrome unter Linux" in first.body_html
    assert "ein Browser unter Linux" in second.body_text
    assert "Chrome on Linux" not in first.body_text and "sous" not in first.body_text
