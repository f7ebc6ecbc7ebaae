"""Mailed links: single use for good, one spelling of each token, the token only in the fragment.

Issue 19, items 2, 8b, 9 and 16 (the reset page names its account).
"""
import base64
import re

import pytest
from rest_framework.test import APIClient

from accounts.mail.models import OutboxMessage
from accounts.models import User
from accounts.recovery import address_tokens, tokens
from tests.conftest import PASSWORD
from tests.recovery.test_addresses import CHANGE, delivered, link_token, verify

pytestmark = pytest.mark.django_db

SITE = "https://gatehouse.test"
CONFIRM = "/api/auth/password-reset/confirm/"
ACCOUNT = "/api/auth/password-reset/account/"


@pytest.fixture(autouse=True)
def _site(settings, smtp_server):
    settings.SITE_URL = SITE


def confirm(token):
    return APIClient().post(CONFIRM, {"token": token, "new_password": "a brand new passphrase 42"}, format="json")


def change(device, new_email):
    return device.post(CHANGE, {"new_email": new_email, "password": PASSWORD})


def change_link(smtp_server, count, to):
    return link_token([m for m in delivered(smtp_server, count) if m["To"] == to][-1])


def test_a_used_change_link_stays_dead_after_the_address_goes_a_to_b_to_a(logged_in, user, smtp_server):
    # Repro (issue 19, item 2): use the A→B link (204; a replay 400), change back B→A, then the old A→B link
    # answered 204 and the address was B again. It must answer 400 token_invalid and the address stay A.
    assert change(logged_in, "alice@new.example").status_code == 202
    a_to_b = change_link(smtp_server, 2, "alice@new.example")
    assert verify(a_to_b).status_code == 204
    assert verify(a_to_b).json()["code"] == "token_invalid"

    assert change(logged_in, "alice@example.com").status_code == 202
    b_to_a = change_link(smtp_server, 5, "alice@example.com")
    assert verify(b_to_a).status_code == 204
    user.refresh_from_db()
    assert user.email == "alice@example.com"

    replay = verify(a_to_b)
    assert replay.status_code == 400 and replay.json()["code"] == "token_invalid"
    user.refresh_from_db()
    assert user.email == "alice@example.com"


def test_a_used_verification_link_stays_dead_when_the_address_is_unverified_again(user):
    # The admin typing the same address again makes it unverified (email_verified_at None), as it was
    # when the link was made: the link's other inputs are back, but it was used.
    token = address_tokens.make_verification_token(user)
    assert verify(token).status_code == 204
    User.objects.filter(pk=user.pk).update(email_verified_at=None)
    assert verify(token).json()["code"] == "token_invalid"


def _respell(token, part, spelling):
    pieces = token.split(".")
    pieces[part] = spelling(pieces[part])
    return ".".join(pieces)


def _other_spellings(token):
    """Each decodes to the same values as ``token`` (before this fix, each was accepted)."""
    return {
        # An id whose base64 needs no padding (user 100: MTAw) gets a whole "====" group.
        "uid with = padding": _respell(token, 0, lambda uid: uid + "=" * (-len(uid) % 4 or 4)),
        "uid of a zero-led id": _respell(
            token, 0,
            lambda uid: base64.urlsafe_b64encode(b"0" + base64.urlsafe_b64decode(uid + "==")).decode().rstrip("="),
        ),
        "time in upper case": _respell(token, 1, str.upper),
        "time with a leading zero": _respell(token, 1, lambda issued: "0" + issued),
        "time with a space": _respell(token, 1, lambda issued: " " + issued),
        "time with a plus sign": _respell(token, 1, lambda issued: "+" + issued),
        "mac with = padding": _respell(token, -1, lambda mac: mac + "="),
        "a leading space": " " + token,
        "a trailing space": token + " ",
        "a trailing newline": token + "\n",
    }


def test_reset_tokens_are_accepted_in_one_spelling_only(user):
    # Repro (issue 19, item 9): a reset token with = padding, upper case, leading zeros or spaces still worked.
    token = tokens.make_token(user)
    for name, spelling in _other_spellings(token).items():
        assert spelling != token, name
        answer = confirm(spelling)
        assert (name, answer.status_code, answer.json()["code"]) == (name, 400, "token_invalid")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert confirm(token).status_code == 204


@pytest.mark.parametrize("make", [
    address_tokens.make_verification_token,
    lambda user: address_tokens.make_change_token(user, "alice@new.example"),
], ids=["verification", "change of address"])
def test_address_tokens_are_accepted_in_one_spelling_only(user, make):
    # Repro (issue 19, item 9): the same for verification and change-of-address tokens.
    token = make(user)
    spellings = _other_spellings(token)
    if token.count(".") == 3:
        spellings["new address with = padding"] = _respell(token, 2, lambda text: text + "=" * (-len(text) % 4 or 2))
    for name, spelling in spellings.items():
        assert spelling != token, name
        answer = verify(spelling)
        assert (name, answer.status_code, answer.json()["code"]) == (name, 400, "token_invalid")
    assert verify(token).status_code == 204


def test_no_mailed_link_carries_its_token_in_a_query_string(logged_in, user, smtp_server, make_user):
    # Repro (issue 19, item 8b): links were SITE_URL/reset-password?token=…, so opening one logged the token.
    make_user("bob", email="bob@example.com")
    APIClient().post("/api/auth/password-reset/", {"email": "alice@example.com"}, format="json")
    APIClient().post("/api/auth/email/verify/resend/", {"email": "bob@example.com"}, format="json")
    change(logged_in, "alice@new.example")
    APIClient().post("/api/auth/register/", {"username": "carol", "email": "carol@example.com",
                                            "password": "a long enough passphrase"}, format="json")
    # Read before delivery, which masks the tokens of the stored rows.
    bodies = [body for row in OutboxMessage.objects.values_list("body_text", "body_html") for body in row]
    assert OutboxMessage.objects.count() == 5
    links = [link for body in bodies for link in re.findall(r"https://gatehouse\.test/[^\s\"'<>]*", body)]
    tokened = [link for link in links if "token" in link]
    assert len({link.split("#")[0] for link in tokened}) == 2  # reset-password and verify-email
    assert all("?" not in link for link in links), links
    assert all(re.fullmatch(r"https://gatehouse\.test/(reset-password|verify-email)#token=[A-Za-z0-9_\-.]+", link)
               for link in tokened), tokened


def test_the_reset_page_can_ask_which_account_a_valid_token_is_for(user, make_user):
    # Repro (issue 19, item 16): the reset page did not say which account it resets. Only a valid token learns it.
    token = tokens.make_token(user)
    answer = APIClient().post(ACCOUNT, {"token": token}, format="json")
    assert answer.status_code == 200 and answer.json() == {"username": "alice"}
    for wrong in ["", "nonsense", token[:-1] + ("A" if token[-1] != "A" else "B"), token + " "]:
        refused = APIClient().post(ACCOUNT, {"token": wrong}, format="json")
        assert refused.status_code == 400 and refused.json()["code"] == "token_invalid"
    assert "token" not in answer.json() and answer["Cache-Control"]


def test_an_unused_link_dies_when_the_admin_types_another_address_and_then_the_old_one_again(user, make_user):
    # Repro: an unused verification link issued at A stayed valid after an admin changed the address
    # A→B→A: every input of its MAC was back. Typing an address in the admin ends every link mailed before.
    from django.test import Client

    from tests.admin.test_admin import form_data

    token = address_tokens.make_verification_token(user)
    root = make_user("root", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(root)
    url = f"/admin/accounts/user/{user.pk}/change/"
    original = user.email
    for address in ("alice@elsewhere.example", original):
        data = form_data(admin.get(url).content.decode(), "user_form")
        data["email"] = [address]
        assert admin.post(url, data).status_code == 302

    replay = verify(token)

    assert replay.status_code == 400 and replay.json()["code"] == "token_invalid"
    user.refresh_from_db()
    assert user.email == original and user.email_verified_at is None


def test_a_password_reset_verifies_the_address_it_was_mailed_to(user):
    # A reset link goes to the account's current address (its MAC covers it): using it proves the mailbox,
    # as a verification link does.
    assert user.email_verified_at is None

    assert confirm(tokens.make_token(user)).status_code == 204

    user.refresh_from_db()
    assert user.email_verified_at is not None
