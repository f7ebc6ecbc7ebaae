"""The admin's forms and messages written by us, in the admin's language (Django's own words come with it).

Repro (issue 25, item 5): the admin's confirmation form said "Your password"
and "That password, code or passkey is not right." on a German page.
"""
import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.admin.reauth import AUTH_TIME
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

USERS = "/admin/accounts/user/"
GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de", "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}


@pytest.fixture
def admin_signed_in_long_ago(make_user):
    make_user("root", is_staff=True, is_superuser=True)
    browser = Client()
    data = {"username": "root", "password": PASSWORD, "next": "/admin/"}
    assert browser.post("/admin/login/", data, **GERMAN).status_code == 302
    session = browser.session
    session[AUTH_TIME] = session[AUTH_TIME] - 3600  # older than REAUTH_MAX_AGE: the form asks again
    session.save()
    return browser


def test_the_confirmation_form_and_its_refusal_are_in_german(admin_signed_in_long_ago, make_user):
    bob = make_user("bob")
    url = f"{USERS}{bob.pk}/password/"

    page = admin_signed_in_long_ago.get(url, **GERMAN).content.decode()
    wrong = admin_signed_in_long_ago.post(url, {"_reauthenticate": "1", "password": "not it"}, **GERMAN)

    assert "Ihr Passwort" in page and "Your password" not in page
    assert "Bestätigen Sie, dass Sie es sind" in page and 'value="Bestätigen"' in page
    assert "Das Festlegen des Passworts von bob braucht eine frische Anmeldung." in page
    assert "Dieses Passwort, dieser Code oder Passkey ist nicht richtig." in wrong.content.decode()


def test_a_refused_action_says_why_in_german(make_user):
    boss = make_user("boss", is_staff=True, is_superuser=True)
    helper = make_user("helper", is_staff=True)
    helper.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="accounts", codename__in=["view_user", "change_user", "revoke_refreshsession"]))
    browser = Client()
    browser.force_login(helper)

    data = {"action": "deactivate_and_revoke_sessions", "_selected_action": [boss.pk], "post": "yes"}
    done = browser.post(USERS, data, follow=True, **GERMAN)

    assert "Nur ein Superuser kann einen Superuser deaktivieren; nichts wurde geändert." in done.content.decode()


def test_an_actions_confirmation_page_is_in_german(make_user):
    root = make_user("root", is_staff=True, is_superuser=True)
    bob = make_user("bob")
    browser = Client()
    browser.force_login(root)

    data = {"action": "deactivate_and_revoke_sessions", "_selected_action": [bob.pk]}
    page = browser.post(USERS, data, **GERMAN).content.decode()

    assert "Die ausgewählten Benutzer deaktivieren und alles beenden, womit sie angemeldet sind?" in page
    assert "Sie können sich nicht mehr anmelden." in page and 'value="Ja, ich bin sicher"' in page
    assert "Nein, zurück" in page and "take me back" not in page
