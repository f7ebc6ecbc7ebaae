"""Sign in by email code (issue 22, item 2), through a real SMTP server.

POST /api/auth/login/code/ and /api/auth/login/code/confirm/, and the attacks
the issue names: guessing across many addresses from many clients, reuse, a
code for another address, an old code after a newer one, a sixth try, an
unknown address.
"""
import re
from datetime import timedelta

import jwt
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.email_codes import codes
from accounts.email_codes.models import LoginCode
from accounts.mail import outbox
from accounts.mail.models import OutboxMessage
from accounts.models import RefreshSession, User
from tests.mfa.conftest import clock, enrol, second_step  # noqa: F401  (clock: a fixture)
from tests.smtp import body_text

pytestmark = pytest.mark.django_db

SITE = "https://gatehouse.test"
ASK = "/api/auth/login/code/"
CONFIRM = "/api/auth/login/code/confirm/"


@pytest.fixture(autouse=True)
def _site(settings, smtp_server):
    settings.SITE_URL = SITE


def ask(email, client=None, **extra):
    return (client or APIClient()).post(ASK, {"email": email}, format="json", **extra)


def confirm(email, code, client=None, **extra):
    return (client or APIClient()).post(CONFIRM, {"email": email, "code": code}, format="json", **extra)


def delivered(smtp_server, count):
    while outbox.deliver_due():
        pass
    return smtp_server.wait_for(count)


def code_in(message) -> str:
    match = re.search(r"^\s+(\d{6})\s*$", body_text(message), re.MULTILINE)
    assert match, body_text(message)
    return match.group(1)


def mailed_code(smtp_server, address, count=1):
    messages = [m for m in delivered(smtp_server, count) if m["To"] == address]
    return code_in(messages[-1])


def wrong(code):
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_mailed_code_signs_in_and_verifies_the_address(make_user, smtp_server):
    user = make_user("alice")
    assert user.email_verified_at is None

    assert ask("alice@example.com").status_code == 202
    code = mailed_code(smtp_server, "alice@example.com")
    response = confirm("alice@example.com", code)

    assert response.status_code == 200, response.json()
    assert response.json()["user"]["id"] == user.id
    assert response.cookies["refresh_token"].value
    claims = jwt.decode(response.json()["access"], options={"verify_signature": False})
    assert claims["amr"] == ["email"]
    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_the_mail_links_to_the_code_page_with_the_address_in_the_fragment_and_no_code_in_any_url(
    make_user, smtp_server
):
    make_user("alice")
    ask("alice@example.com")
    message = delivered(smtp_server, 1)[0]
    code = code_in(message)

    text = body_text(message)
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f"{SITE}/login/code#email=alice@example.com" in text
    assert f'href="{SITE}/login/code#email=alice@example.com"' in html
    for url in re.findall(r"https?://\S+", text + html):
        assert code not in url
    assert code not in message["Subject"]  # a subject is listed everywhere (inboxes, the outbox): never the code


def test_the_code_is_kept_only_as_a_keyed_digest(make_user, smtp_server):
    make_user("alice")
    ask("alice@example.com")
    code = mailed_code(smtp_server, "alice@example.com")

    row = LoginCode.objects.get()
    stored = " ".join(str(value) for value in row.__dict__.values())
    assert code not in stored and "alice" not in stored


def test_an_unknown_address_gets_the_same_202_no_mail_and_the_same_work(make_user, smtp_server):
    make_user("alice")
    make_user("inactive", is_active=False)
    answers, costs = {}, {}
    for address in ["alice@example.com", "nobody@example.com", "inactive@example.com"]:
        with CaptureQueriesContext(connection) as queries:
            response = ask(address, REMOTE_ADDR=f"198.51.100.{len(answers) + 1}")
        answers[address] = (response.status_code, str(response.json()))
        # The same reads and writes (the unknown address's mail is written, then rolled back to a savepoint).
        costs[address] = [q["sql"].split('"')[:4:2] for q in queries if "SAVEPOINT" not in q["sql"]]

    assert len(set(answers.values())) == 1 and answers["nobody@example.com"][0] == 202
    assert costs["alice@example.com"] == costs["nobody@example.com"] == costs["inactive@example.com"]
    assert [m["To"] for m in delivered(smtp_server, 1)] == ["alice@example.com"]
    assert OutboxMessage.objects.count() == 1


def test_no_code_signs_in_to_an_unknown_address(make_user, smtp_server):
    ask("nobody@example.com")
    for guess in ["000000", "123456", "999999"]:
        assert confirm("nobody@example.com", guess).json()["code"] == "code_invalid"


def test_a_code_works_once(make_user, smtp_server):
    make_user("alice")
    ask("alice@example.com")
    code = mailed_code(smtp_server, "alice@example.com")

    assert confirm("alice@example.com", code).status_code == 200
    again = confirm("alice@example.com", code)

    assert again.status_code == 401
    assert again.json()["code"] == "code_invalid"


def test_a_code_for_one_address_does_not_sign_in_with_another(make_user, smtp_server):
    make_user("alice")
    make_user("bob")
    ask("alice@example.com")
    ask("bob@example.com")
    alice_code = mailed_code(smtp_server, "alice@example.com", count=2)

    assert confirm("bob@example.com", alice_code).status_code == 401
    assert confirm("alice@example.com", alice_code).status_code == 200


def test_an_older_code_ends_when_a_newer_one_is_sent(make_user, smtp_server, monkeypatch):
    make_user("alice")
    drawn = iter(["111111", "222222"])  # two different codes, whatever the random source would draw
    monkeypatch.setattr(codes, "new_code", lambda: next(drawn))
    ask("alice@example.com")
    old = mailed_code(smtp_server, "alice@example.com", count=1)
    ask("alice@example.com")
    new = mailed_code(smtp_server, "alice@example.com", count=2)
    assert (old, new) == ("111111", "222222")

    assert confirm("alice@example.com", old).status_code == 401
    assert confirm("alice@example.com", new).status_code == 200


def test_a_sixth_try_after_five_wrong_ones_fails_even_with_the_right_code(make_user, smtp_server):
    make_user("alice")
    ask("alice@example.com")
    code = mailed_code(smtp_server, "alice@example.com")
    for _ in range(5):
        assert confirm("alice@example.com", wrong(code)).status_code == 401

    response = confirm("alice@example.com", code)

    assert response.status_code == 401
    assert response.json()["code"] == "code_invalid"
    assert not RefreshSession.objects.exists()


def test_a_code_ends_after_ten_minutes(make_user, smtp_server):
    make_user("alice")
    ask("alice@example.com")
    code = mailed_code(smtp_server, "alice@example.com")

    with time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=1)):
        assert confirm("alice@example.com", code).status_code == 401


def test_a_code_no_longer_works_once_the_account_moved_to_another_address(make_user, smtp_server):
    user = make_user("alice")
    ask("alice@example.com")
    code = mailed_code(smtp_server, "alice@example.com")
    User.objects.filter(pk=user.pk).update(email="alice.new@example.com")

    assert confirm("alice@example.com", code).status_code == 401


def test_an_account_with_a_second_factor_still_needs_it(clock, logged_in, smtp_server):
    """An emailed code is a first factor (amr "email", never "otp"): 202 mfa_required, then the app's code."""
    # A verified address: a first proof by code would end the factors of an unverified past.
    User.objects.filter(username="alice").update(email_verified_at=timezone.now())
    enrolled = enrol(logged_in)
    ask("alice@example.com")
    code = mailed_code(smtp_server, "alice@example.com")
    sessions_before = RefreshSession.objects.count()

    response = confirm("alice@example.com", code)

    assert response.status_code == 202, response.json()
    assert response.json()["mfa_required"] is True and "totp" in response.json()["methods"]
    assert "access" not in response.json() and "refresh_token" not in response.cookies
    assert RefreshSession.objects.count() == sessions_before
    second = second_step(APIClient(), response.json()["mfa_token"], enrolled.code(offset_steps=1))
    assert second.status_code == 200, second.json()


def test_after_a_code_and_the_second_step_amr_names_the_code_not_a_password(clock, logged_in, smtp_server):
    """Repro: the second step's session read amr ["pwd", "otp"] though no password was used."""
    # A verified address: a first proof by code would end the factors of an unverified past.
    User.objects.filter(username="alice").update(email_verified_at=timezone.now())
    enrolled = enrol(logged_in)
    ask("alice@example.com")
    first = confirm("alice@example.com", mailed_code(smtp_server, "alice@example.com"))

    second = second_step(APIClient(), first.json()["mfa_token"], enrolled.code(offset_steps=1))

    claims = jwt.decode(second.json()["access"], options={"verify_signature": False})
    assert claims["amr"] == ["email", "otp"]


def test_requests_per_address_are_limited_whoever_asks(make_user, smtp_server):
    make_user("alice")
    answers = [ask("ALICE@example.com", REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(1, 8)]

    assert answers == [202] * 5 + [429] * 2


def test_requests_per_client_are_limited_whatever_the_address(smtp_server):
    answers = [ask(f"user{n}@example.com").status_code for n in range(12)]

    assert answers == [202] * 10 + [429] * 2


def test_guessing_codes_across_many_addresses_from_many_clients_gets_nowhere(make_user, smtp_server):
    """Each code dies after five tries; tries per address are limited from anywhere; tries per client too."""
    addresses = [f"user{n}@example.com" for n in range(6)]
    for n, address in enumerate(addresses):
        make_user(f"user{n}", email=address)
        ask(address, REMOTE_ADDR=f"203.0.113.{n}")
    codes = {m["To"]: code_in(m) for m in delivered(smtp_server, len(addresses))}

    accepted = 0
    for n, address in enumerate(addresses):
        for attempt in range(20):  # from a different client each time, never the right code
            response = confirm(address, wrong(codes[address]), REMOTE_ADDR=f"10.{n}.{attempt}.1")
            accepted += response.status_code == 200
        # The address's limit holds across clients; and its code died after five wrong tries.
        assert confirm(address, codes[address], REMOTE_ADDR="192.0.2.200").status_code in (401, 429)
    assert accepted == 0
    assert not RefreshSession.objects.exists()
    assert set(LoginCode.objects.values_list("tries", flat=True)) <= {5}


def test_tries_per_address_are_limited_from_anywhere(make_user, smtp_server):
    make_user("alice")
    answers = [confirm("alice@example.com", "000000", REMOTE_ADDR=f"10.0.0.{n}").status_code for n in range(17)]

    assert answers == [401] * 15 + [429] * 2


def test_tries_per_client_are_limited_whatever_the_address(smtp_server):
    answers = [confirm(f"user{n}@example.com", "000000").status_code for n in range(32)]

    assert answers == [401] * 30 + [429] * 2


def test_the_routes_are_404_when_login_by_code_is_off(settings, make_user, smtp_server):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "LOGIN_BY_CODE": False}

    assert ask("alice@example.com").status_code == 404
    assert confirm("alice@example.com", "123456").status_code == 404
    assert APIClient().get("/api/auth/config/").json()["login_by_code"] is False


def test_the_app_is_told_login_by_code_is_offered(smtp_server):
    assert APIClient().get("/api/auth/config/").json()["login_by_code"] is True


@pytest.mark.parametrize("body", [{}, {"email": "not an address"}, {"email": "a@example.com"}, {"code": "1"}])
def test_bad_bodies_are_400(body, smtp_server):
    route = CONFIRM if "code" in body or body == {"email": "a@example.com"} else ASK
    response = APIClient().post(route, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"]


def test_a_mandatory_verification_lets_the_code_in(settings, make_user, smtp_server):
    """The code proves the mailbox, so an unverified account is not refused 403 email_unverified."""
    settings.GATEHOUSE = {**settings.GATEHOUSE, "SIGNUP_EMAIL_VERIFICATION": "mandatory"}
    make_user("alice")
    ask("alice@example.com")

    assert confirm("alice@example.com", mailed_code(smtp_server, "alice@example.com")).status_code == 200


def test_the_code_is_in_no_subject_and_hidden_from_the_outbox_before_and_after_delivery(make_user, smtp_server):
    # Repro (review): the subject read "Your Gatehouse sign-in code: 019409" and the bodies kept the code, so a
    # staff member allowed only to view the outbox read a superuser's code there and signed in with it.
    from django.contrib.auth.models import Permission
    from django.test import Client

    make_user("alice")
    staff = make_user("helper", is_staff=True)

    staff.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    admin = Client()
    admin.force_login(staff)
    ask("alice@example.com")
    queued = OutboxMessage.objects.get(to="alice@example.com")
    page = admin.get(f"/admin/accounts/outboxmessage/{queued.pk}/change/").content.decode()
    listing = admin.get("/admin/accounts/outboxmessage/").content.decode()

    code = mailed_code(smtp_server, "alice@example.com")

    assert code not in queued.subject and code not in listing and code not in page
    assert "[hidden]" in page
    delivered_row = OutboxMessage.objects.get(pk=queued.pk)
    assert code not in delivered_row.subject + delivered_row.body_text + delivered_row.body_html
