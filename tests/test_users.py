"""One canonical name per user (NFKC, then case-folded) and one account per email address.

Mirrors ``accounts/identity.py`` and ``accounts.models.User``.
"""
import time

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from accounts.identity import canonical_username
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db

User = get_user_model()
FULLWIDTH_ALICE = "\uff21lice"  # "Ａlice"


def register(client, username, email=None, password="a long enough passphrase"):
    body = {"username": username, "email": email or "new@example.com", "password": password}
    return client.post("/api/auth/register/", body, format="json")


@pytest.mark.parametrize("name", ["Alice", "ALICE", FULLWIDTH_ALICE, "\uff41\uff4c\uff49\uff43\uff45"])
def test_canonical_form_is_nfkc_then_casefold(name):
    assert canonical_username(name) == "alice"


def test_sign_up_refuses_a_fullwidth_twin_of_an_existing_name(client, user):
    # The repro: with alice registered, "Ａlice" was a second account (201).
    response = register(client, FULLWIDTH_ALICE)

    assert response.status_code == 400
    assert response.json()["fields"]["username"] == ["That username is taken."]
    assert User.objects.count() == 1


def test_sign_up_refuses_strasse_beside_strasse_with_sharp_s(client, make_user):
    make_user("straße")

    response = register(client, "strasse")

    assert response.status_code == 400
    assert "username" in response.json()["fields"]


@pytest.mark.parametrize(
    "name",
    [
        "\ufdfa" * 9,  # 9 characters typed, 162 after NFKC: was a 500 (value too long) on PostgreSQL
        "\ufdfa",  # one character that NFKC turns into words with spaces
    ],
)
def test_sign_up_checks_length_and_characters_after_normalisation(client, name):
    response = register(client, name)

    assert response.status_code == 400
    assert response.json()["fields"]["username"]
    assert not User.objects.exists()


def test_sign_up_stores_the_nfkc_form(client):
    response = register(client, "\uff42ob")  # "ｂob"

    assert response.status_code == 201
    assert response.json()["username"] == "bob"
    assert User.objects.get().username_canonical == "bob"


def test_the_database_refuses_a_second_canonical_name(make_user):
    make_user("alice")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="ALICE", email="other@example.com", password=PASSWORD)


def test_bulk_created_users_get_their_canonical_name():
    User.objects.bulk_create([User(username="Carol", email="c@example.com")])

    assert User.objects.get().username_canonical == "carol"


def test_renaming_keeps_the_canonical_name_in_step(user):
    user.username = "Alicia"
    user.save(update_fields=["username"])

    user.refresh_from_db()
    assert user.username_canonical == "alicia"


@pytest.mark.parametrize("typed", ["ALICE", FULLWIDTH_ALICE, "alice"])
def test_login_finds_the_account_by_its_canonical_name(client, user, typed):
    response = login(client, typed)

    assert response.status_code == 200
    assert response.json()["user"]["id"] == user.id


def test_failures_under_a_twin_spelling_count_toward_the_same_account(client, user):
    # Backoff keys use the canonical name: guesses on "Ａlice" slow down "alice".
    with time_machine.travel(time.time(), tick=False):
        for spelling in ["ALICE", FULLWIDTH_ALICE, "Alice", "aLice", "alicE", "ALICE"]:
            assert login(client, spelling, "wrong password").status_code == 401

        assert login(client, "alice").status_code == 429


def test_sign_up_refuses_an_email_address_in_use_whatever_its_case(client, user):
    response = register(client, "carol", email="ALICE@Example.COM")

    assert response.status_code == 400
    assert response.json()["fields"]["email"] == ["That email address is already in use."]
    assert User.objects.count() == 1


def test_the_database_refuses_a_second_account_for_one_address(make_user):
    make_user("alice", email="alice@example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="carol", email="Alice@EXAMPLE.com", password=PASSWORD)


def test_accounts_without_an_address_do_not_collide(make_user):
    make_user("alice", email="")
    make_user("carol", email="")

    assert User.objects.filter(email="").count() == 2


def test_a_new_user_has_no_verified_address_yet(user):
    assert user.email_verified_at is None


def test_admin_add_form_refuses_a_canonical_twin(client, make_user):
    # Django's own form compares case-insensitively only: "STRASSE" passes that check.
    make_user("straße")
    make_user("root", is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(username="root"))

    response = client.post(
        "/admin/accounts/user/add/",
        {"username": "STRASSE", "email": "x@example.com", "usable_password": "true",
         "password1": "a long enough passphrase", "password2": "a long enough passphrase"},
    )

    assert response.status_code == 200  # the form again, with its error
    assert b"A user with that username already exists." in response.content
    assert User.objects.count() == 2


def test_createsuperuser_refuses_a_canonical_twin(user, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long enough passphrase")

    with pytest.raises(CommandError, match="already taken"):
        call_command("createsuperuser", username=FULLWIDTH_ALICE, email="root@example.com", interactive=False)

    assert User.objects.count() == 1
