"""A passkey as the second step of the admin login: the page's options, the answer in the form."""
import json
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.models import SecurityEvent, SecurityEventKind
from tests.conftest import PASSWORD
from tests.passkeys import recording
from tests.passkeys.authenticator import SoftAuthenticator
from tests.passkeys.conftest import relying_party  # noqa: F401  (a fixture)
from tests.passkeys.test_api import register

pytestmark = pytest.mark.django_db

SECOND_STEP = "/admin/login/second-step/"


@pytest.fixture
def staff_with_passkey(relying_party, make_user, log_in):  # noqa: F811
    make_user("root", is_staff=True, is_superuser=True)
    key = SoftAuthenticator(origin=recording.ORIGIN)
    assert register(log_in("root"), key).status_code == 201
    return key


def options_on(page):
    found = re.search(r'<script id="gatehouse-passkey-options" type="application/json">(.*?)</script>', page, re.DOTALL)
    assert found, "the page offers no passkey"
    return json.loads(found.group(1))


def test_admin_login_with_a_passkey_as_the_second_step(staff_with_passkey):
    browser = Client()
    first = browser.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"})
    assert first["Location"] == SECOND_STEP and SESSION_KEY not in browser.session
    page = browser.get(SECOND_STEP).content.decode()
    assert "Use your passkey" in page and "admin-passkey.js" in page
    assert 'name="code"' not in page  # no authenticator app, no recovery codes: nothing to type

    credential = staff_with_passkey.assertion(options_on(page))
    done = browser.post(SECOND_STEP, {"credential": json.dumps(credential)})

    assert done.status_code == 302 and done["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_SUCCEEDED, reason="passkey").exists()


def test_an_answer_to_another_browsers_options_is_refused(staff_with_passkey):
    ours, theirs = Client(), Client()
    for browser in (ours, theirs):
        browser.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"})
    their_options = options_on(theirs.get(SECOND_STEP).content.decode())

    refused = ours.post(SECOND_STEP, {"credential": json.dumps(staff_with_passkey.assertion(their_options))})

    assert refused.status_code == 200 and "not accepted" in refused.content.decode()
    assert SESSION_KEY not in ours.session


@pytest.mark.parametrize("garbage", ["not json", "[1, 2]", '"text"'])
def test_a_credential_that_is_not_an_object_is_a_form_error_not_a_500(staff_with_passkey, garbage):
    browser = Client()
    browser.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"})

    response = browser.post(SECOND_STEP, {"credential": garbage})

    assert response.status_code == 200 and SESSION_KEY not in browser.session


def test_a_passkey_only_account_is_told_when_this_server_cannot_check_passkeys(staff_with_passkey, settings):
    browser = Client()
    browser.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"})
    settings.SITE_URL = "http://127.0.0.1:8000"  # an IP address: no relying party

    page = browser.get(SECOND_STEP).content.decode()

    assert "passkeys are not set up on this server" in page and "gatehouse-passkey-options" not in page


def test_a_passkey_only_admin_confirms_a_reset_with_password_and_passkey(staff_with_passkey, make_user):
    # Without a code to type, the confirmation page offers the admin's passkey (their only second step).
    from accounts.admin.reauth import AUTH_TIME
    from tests.admin.test_admin import USERS

    bob = make_user("bob")
    browser = Client()
    browser.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"})
    page = browser.get(SECOND_STEP).content.decode()
    browser.post(SECOND_STEP, {"credential": json.dumps(staff_with_passkey.assertion(options_on(page)))})
    session = browser.session
    session[AUTH_TIME] -= 3600  # a sign-in that is no longer recent
    session.save()
    data = {"action": "reset_two_step_sign_in", "_selected_action": [bob.pk], "post": "yes"}

    asked = browser.post(USERS, {**data, "password": PASSWORD}).content.decode()
    assert "That password, code or passkey is not right." in asked and 'name="code"' not in asked
    credential = staff_with_passkey.assertion(options_on(asked))
    wrong_password = browser.post(USERS, {**data, "password": "not it", "credential": json.dumps(credential)})
    assert "That password, code or passkey is not right." in wrong_password.content.decode()

    asked = browser.post(USERS, data).content.decode()
    credential = staff_with_passkey.assertion(options_on(asked))
    done = browser.post(USERS, {**data, "password": PASSWORD, "credential": json.dumps(credential)}, follow=True)

    assert "Reset two-step sign-in of 0 users." in done.content.decode()  # bob had nothing to reset
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.REAUTHENTICATED, reason="admin:passkey").exists()
