"""One canonical email address (accounts.identity): NFKC, the domain's IDNA ASCII form, no invisible characters.

Issue 19, item 6: with x@example.test taken, sign-up accepted a fullwidth letter, a soft hyphen, a zero-width
space and the ﬆ ligature, all delivered to the same mailbox.
"""
import importlib

import pytest
from django.apps import apps as global_apps
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from accounts.identity import EMAIL_INVISIBLE, canonical_email, normalized_email
from accounts.mail.models import OutboxMessage
from accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TAKEN = "x@example.test"
SAME_MAILBOX = {
    "fullwidth letter": "x@examplｅ.test",
    "ligature": "x@example.teﬆ",
    "upper case and fullwidth": "Ｘ@EXAMPLE.test",
}
INVISIBLE = {
    "soft hyphen": "x@exam\u00adple.test",
    "zero-width space": "x\u200b@example.test",
    "zero-width joiner": "x@example\u200d.test",
    "word joiner": "x\u2060@example.test",
    "byte order mark": "\ufeffx@example.test",
    "a control character": "x\u0007@example.test",
    "hangul filler": "x\u3164@example.test",
    "variation selector": "x\ufe0f@example.test",
}


@pytest.fixture(autouse=True)
def _site(settings, smtp_server):
    settings.SITE_URL = "https://gatehouse.test"


@pytest.fixture
def taken(make_user):
    return make_user("x", email=TAKEN)


def sign_up(email, username="newcomer"):
    return APIClient().post(
        "/api/auth/register/", {"username": username, "email": email, "password": "a long enough passphrase"},
        format="json",
    )


@pytest.mark.parametrize("email", SAME_MAILBOX.values(), ids=SAME_MAILBOX.keys())
def test_sign_up_refuses_a_look_alike_of_a_taken_address(taken, email):
    # Repro: these were accepted as new addresses beside x@example.test.
    answer = sign_up(email)
    assert answer.status_code == 400 and answer.json()["fields"]["email"] == ["That email address is already in use."]
    assert User.objects.count() == 1


@pytest.mark.parametrize("email", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_sign_up_refuses_invisible_characters_with_a_clear_message(taken, email):
    # Repro: the soft hyphen and the zero-width space were accepted.
    answer = sign_up(email)
    assert answer.status_code == 400 and answer.json()["fields"]["email"] == [EMAIL_INVISIBLE]
    assert User.objects.count() == 1


def test_a_new_address_is_stored_in_its_normalised_form(db):
    assert sign_up("Ａnna@Bücher.DE", username="anna").status_code == 201
    assert User.objects.get(username="anna").email == "Anna@xn--bcher-kva.de"
    again = sign_up("anna@bücher.de", username="anna2")
    assert again.status_code == 400 and again.json()["fields"]["email"]


def test_a_domain_that_is_no_domain_name_is_refused(db):
    answer = sign_up("x@exa_mple.test")
    assert answer.status_code == 400 and answer.json()["fields"]["email"]


@pytest.mark.parametrize("look_alike", [
    "alice@examplｅ.com", "alice@example.coｍ", "ａlice@EXAMPLE.com", "alice@exam\u00adple.com",
    "alice\u200b@example.com", "alice@example.com\u2060",
])
def test_change_of_address_refuses_look_alikes_of_the_current_address(logged_in, user, look_alike):
    answer = logged_in.post("/api/auth/email/change/", {"new_email": look_alike, "password": PASSWORD})
    assert answer.status_code == 400 and answer.json()["fields"]["new_email"], look_alike
    assert not OutboxMessage.objects.exists()


def test_change_of_address_to_a_look_alike_of_a_taken_address_sends_it_no_link(logged_in, taken):
    # The same 202 as for any taken address (no oracle), and no link: the look-alike is the taken address.
    answer = logged_in.post("/api/auth/email/change/", {"new_email": SAME_MAILBOX["ligature"], "password": PASSWORD})
    assert answer.status_code == 202
    assert list(OutboxMessage.objects.values_list("to", flat=True)) == ["alice@example.com"]


@pytest.mark.parametrize("route", ["/api/auth/password-reset/", "/api/auth/email/verify/resend/"])
def test_reset_and_resend_refuse_invisible_characters_and_find_the_account_by_any_spelling(taken, route):
    for email in INVISIBLE.values():
        answer = APIClient().post(route, {"email": email}, format="json")
        assert answer.status_code == 400 and answer.json()["fields"]["email"] == [EMAIL_INVISIBLE]
    assert APIClient().post(route, {"email": SAME_MAILBOX["fullwidth letter"]}, format="json").status_code == 202
    if route == "/api/auth/password-reset/":
        assert list(OutboxMessage.objects.values_list("to", flat=True)) == [TAKEN]


def test_the_admin_form_refuses_look_alikes_and_invisible_characters(admin_client, taken, make_user):
    other = make_user("bob", email="bob@example.com")
    url = f"/admin/accounts/user/{other.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None and key != "password"}
    data.update({"username": "bob", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
                 "is_active": "on"})
    for email, message in [(SAME_MAILBOX["fullwidth letter"], "already exists"),
                           (INVISIBLE["soft hyphen"], EMAIL_INVISIBLE)]:
        answer = admin_client.post(url, {**data, "email": email})
        assert answer.status_code == 200 and str(message) in answer.content.decode(), email
    other.refresh_from_db()
    assert other.email == "bob@example.com"


def test_the_canonical_form_is_one_function():
    assert canonical_email("Ｘ@EXAMPLｅ.teﬆ ") == "x@example.test"
    with pytest.raises(ValidationError):
        normalized_email("x\u200b@example.test")
    # An address that cannot be normalised matches no normalised address.
    assert canonical_email("x\u200b@example.test") == "x\u200b@example.test"


def test_the_migration_normalises_stored_addresses_and_leaves_what_it_cannot(make_user):
    # Rows stored before addresses were normalised (a raw UPDATE stands in for the old code).
    fullwidth, clash, invisible, old_twin = (make_user(name) for name in ("fw", "clash", "inv", "twin"))
    User.objects.filter(pk=fullwidth.pk).update(email="fw@examplｅ.test")
    User.objects.filter(pk=old_twin.pk).update(email="same@example.test")
    User.objects.filter(pk=clash.pk).update(email="same@examplｅ.test")
    User.objects.filter(pk=invisible.pk).update(email="inv\u200b@example.test")
    migration = importlib.import_module("accounts.migrations.0012_email_normalized_and_link_generation")
    migration.normalize_addresses(global_apps, None)
    emails = dict(User.objects.values_list("username", "email"))
    assert emails["fw"] == "fw@example.test"
    assert emails["twin"] == "same@example.test" and emails["clash"] == "same@examplｅ.test"
    assert emails["inv"] == "inv\u200b@example.test"
