"""Verified addresses and change of address (contract: "Account recovery and email"), through a real SMTP server.

POST /api/auth/email/verify/, …/verify/resend/, …/change/; sign-up's
verification mail; login with SIGNUP_EMAIL_VERIFICATION=mandatory.
"""
import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.mail import outbox
from accounts.mail.models import OutboxMessage
from accounts.models import SecurityEvent, SecurityEventKind, User
from tests.conftest import PASSWORD, login
from tests.smtp import body_text

pytestmark = pytest.mark.django_db

SITE = "https://gatehouse.test"
VERIFY = "/api/auth/email/verify/"
RESEND = "/api/auth/email/verify/resend/"
CHANGE = "/api/auth/email/change/"
SIGNUP = {"username": "carol", "email": "carol@example.com", "password": "a long enough passphrase"}


@pytest.fixture(autouse=True)
def _site(settings, smtp_server):
    settings.SITE_URL = SITE


@pytest.fixture
def verification(settings):
    def set_mode(mode):
        settings.GATEHOUSE = {**settings.GATEHOUSE, "SIGNUP_EMAIL_VERIFICATION": mode}

    return set_mode


def delivered(smtp_server, count):
    while outbox.deliver_due():
        pass
    return smtp_server.wait_for(count)


def link_token(message):
    match = re.search(r"https://gatehouse\.test/verify-email#token=([A-Za-z0-9_\-.]+)", body_text(message))
    assert match, body_text(message)
    return match.group(1)


def sign_up(client=None, **body):
    return (client or APIClient()).post("/api/auth/register/", SIGNUP | body, format="json")


def verify(token, client=None):
    return (client or APIClient()).post(VERIFY, {"token": token}, format="json")


def resend(email, **extra):
    return APIClient().post(RESEND, {"email": email}, format="json", **extra)


def carol():
    return User.objects.get(username="carol")


# --- sign-up and the verification link --------------------------------------------------------------------


def test_optional_sign_up_mails_a_link_that_verifies_the_address_once(smtp_server, verification):
    # repro: sign up (optional, the default) → a mail with SITE_URL/verify-email?token=…; POST it → 204, verified; again → 400
    verification("optional")
    assert sign_up().status_code == 201
    assert login(APIClient(), "carol", SIGNUP["password"]).status_code == 200  # optional: login works unverified
    (mail,) = delivered(smtp_server, 1)
    assert mail["To"] == "carol@example.com" and "Confirm your email address" in mail["Subject"]
    assert mail.get_body(preferencelist=("html",)) is not None
    token = link_token(mail)
    assert carol().email_verified_at is None

    assert verify(token).status_code == 204
    assert carol().email_verified_at is not None
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.EMAIL_VERIFIED, user=carol()).count() == 1
    used = verify(token)
    assert used.status_code == 400 and used.json()["code"] == "token_invalid"
    me = login(APIClient(), "carol", SIGNUP["password"]).json()["user"]
    assert me["email_verified"] is True


def test_with_none_sign_up_mails_nothing(smtp_server, verification):
    # repro: SIGNUP_EMAIL_VERIFICATION=none → 201 and no mail at all; login works
    verification("none")
    assert sign_up().status_code == 201
    assert not OutboxMessage.objects.exists()
    assert login(APIClient(), "carol", SIGNUP["password"]).status_code == 200


def test_mandatory_refuses_login_until_verified_and_only_after_the_password(smtp_server, verification):
    # repro: mandatory; sign up → login 403 email_unverified, no token, no cookie; wrong password → the generic 401;
    # open the mailed link → login 200
    verification("mandatory")
    assert sign_up().status_code == 201
    client = APIClient()
    refused = login(client, "carol", SIGNUP["password"])
    assert refused.status_code == 403
    body = refused.json()
    assert body["code"] == "email_unverified" and body["email"] == "carol@example.com" and body["detail"]
    assert "access" not in body and "refresh_token" not in refused.cookies
    assert not carol().refresh_sessions.exists()

    wrong = login(client, "carol", "not the password")
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_credentials"
    assert "email" not in wrong.json()

    (mail,) = delivered(smtp_server, 1)
    assert verify(link_token(mail)).status_code == 204
    assert login(client, "carol", SIGNUP["password"]).status_code == 200


def test_mandatory_without_mail_set_up_creates_no_account(settings, verification):
    # repro: mandatory with SITE_URL unset → 503 and no account (nobody could ever log in to it)
    verification("mandatory")
    settings.SITE_URL = None
    response = sign_up()
    assert response.status_code == 503 and response.json()["code"] == "email_unavailable"
    assert not User.objects.filter(username="carol").exists()


def test_optional_without_mail_set_up_still_signs_up(settings, verification):
    verification("optional")
    settings.SITE_URL = None
    assert sign_up().status_code == 201
    assert not OutboxMessage.objects.exists()


def test_the_verification_link_expires(smtp_server, settings, verification):
    # repro: a link older than EMAIL_VERIFICATION_TTL → 400 token_invalid; within it → 204
    settings.GATEHOUSE = {**settings.GATEHOUSE, "EMAIL_VERIFICATION_TTL": 3600}
    sign_up()
    token = link_token(delivered(smtp_server, 1)[0])
    with time_machine.travel(timezone.now() + timedelta(seconds=3601)):
        expired = verify(token)
    assert expired.status_code == 400 and expired.json()["code"] == "token_invalid"
    with time_machine.travel(timezone.now() + timedelta(seconds=3500)):
        assert verify(token).status_code == 204


def test_the_verification_link_dies_when_the_address_changes(smtp_server):
    # repro: a verification link for carol@…, then the address set to another → the link is refused
    sign_up()
    token = link_token(delivered(smtp_server, 1)[0])
    User.objects.filter(username="carol").update(email="carol@elsewhere.example")
    response = verify(token)
    assert response.status_code == 400 and response.json()["code"] == "token_invalid"
    assert carol().email_verified_at is None


def test_the_default_ttl_is_three_days(smtp_server):
    sign_up()
    mail = delivered(smtp_server, 1)[0]
    assert "3 days" in body_text(mail)
    token = link_token(mail)
    with time_machine.travel(timezone.now() + timedelta(days=2, hours=23)):
        assert verify(token).status_code == 204


@pytest.mark.parametrize(
    "token",
    ["", "nonsense", "a.b.c", "a.b.c.d", "MQ.zzzzzzzzzzzzzz.x", "OTk5OTk5OTk5OTk5OTk5OTk5OTk.1.x", "x" * 3000,
     "MQ.1.%%%.x", "a.b.c.d.e"],
)
def test_unknown_or_malformed_tokens_are_token_invalid(user, token):
    response = verify(token)
    assert response.status_code == 400 and response.json()["code"] == "token_invalid"


def test_a_password_reset_token_is_not_a_verification_token(user, smtp_server):
    # repro: the token of a reset link posted to the verify route → 400 token_invalid
    assert APIClient().post("/api/auth/password-reset/", {"email": "alice@example.com"}, format="json").status_code == 202
    (mail,) = delivered(smtp_server, 1)
    token = re.search(r"reset-password#token=([A-Za-z0-9_\-.]+)", body_text(mail)).group(1)
    assert verify(token).json()["code"] == "token_invalid"


# --- resend -------------------------------------------------------------------------------------------------


def test_resend_answers_the_same_for_unknown_verified_and_unverified_and_mails_only_the_unverified(
    make_user, smtp_server
):
    # repro: resend for an unknown, a verified and an unverified address → the same 202 body; one mail, to the unverified
    make_user("dave", email_verified_at=timezone.now())
    make_user("erin")
    answers = [resend(address) for address in ("nobody@example.com", "dave@example.com", "ERIN@example.com")]
    assert {answer.status_code for answer in answers} == {202}
    assert answers[0].json() == answers[1].json() == answers[2].json()
    received = delivered(smtp_server, 1)
    assert [m["To"] for m in received] == ["erin@example.com"]
    assert OutboxMessage.objects.count() == 1
    assert verify(link_token(received[0])).status_code == 204
    assert User.objects.get(username="erin").email_verified_at is not None


def test_resend_mails_nothing_to_an_inactive_account(make_user, smtp_server):
    make_user("frank", is_active=False)
    assert resend("frank@example.com").status_code == 202
    assert not OutboxMessage.objects.exists()


def test_resend_is_throttled_per_address(make_user):
    # repro: the same address four times from different IPs → the fourth is 429 with Retry-After, known or not
    make_user("erin")
    for address in ("erin@example.com", "nobody@example.com"):
        for number in range(3):
            assert resend(address, REMOTE_ADDR=f"198.51.100.{number}").status_code == 202
        throttled = resend(address.upper(), REMOTE_ADDR="198.51.100.99")
        assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0


def test_resend_is_throttled_per_ip(db):
    # repro: one IP asks for ten different addresses, then an eleventh → 429
    for number in range(10):
        assert resend(f"someone{number}@example.com").status_code == 202
    throttled = resend("someone-else@example.com")
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0


def test_a_resent_link_works_and_the_first_one_too_until_one_is_used(make_user, smtp_server):
    make_user("erin")
    resend("erin@example.com")
    resend("erin@example.com")
    first, second = (link_token(m) for m in delivered(smtp_server, 2))
    assert verify(second).status_code == 204
    assert verify(first).json()["code"] == "token_invalid"  # verified: every link for the address is dead


# --- sign-up with an address already in use -------------------------------------------------------------------


def test_sign_up_with_an_address_in_use_creates_no_second_account_and_mails_nothing(make_user, smtp_server):
    # repro: sign up with ALICE@example.com while alice@example.com exists → 400 on email; still one account; no mail
    make_user("alice")
    response = sign_up(email="ALICE@example.com")
    assert response.status_code == 400 and "email" in response.json()["fields"]
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1
    assert not OutboxMessage.objects.exists()


# --- change of address ----------------------------------------------------------------------------------------


def change(device, new_email="alice@new.example", password=PASSWORD):
    return device.post(CHANGE, {"new_email": new_email, "password": password})


def test_change_mails_a_link_to_the_new_address_and_a_notice_to_the_old_and_changes_only_on_use(
    logged_in, user, smtp_server
):
    # repro: POST change → 202; a link to the new address, a notice to the old; the address changes only when the
    # link is used (then verified), and the old address is told again
    response = change(logged_in)
    assert response.status_code == 202 and response.json()["detail"]
    received = delivered(smtp_server, 2)
    to_new = [m for m in received if m["To"] == "alice@new.example"]
    to_old = [m for m in received if m["To"] == "alice@example.com"]
    assert len(to_new) == 1 and len(to_old) == 1
    assert "token=" not in body_text(to_old[0]) and "alice@new.example" in body_text(to_old[0])
    user.refresh_from_db()
    assert user.email == "alice@example.com"

    assert verify(link_token(to_new[0])).status_code == 204
    user.refresh_from_db()
    assert user.email == "alice@new.example" and user.email_verified_at is not None
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.EMAIL_CHANGED, user=user).count() == 1
    notice = [m for m in delivered(smtp_server, 3) if m["Subject"] == "Your Gatehouse email address was changed"]
    assert [m["To"] for m in notice] == ["alice@example.com"]
    assert logged_in.get("/api/auth/me/").json()["email"] == "alice@new.example"
    again = verify(link_token(to_new[0]))
    assert again.status_code == 400 and again.json()["code"] == "token_invalid"


def test_change_checks_the_password_and_counts_failures_in_the_backoff(logged_in, user, smtp_server, settings):
    # repro: a wrong password → 400 fields.password, nothing mailed; enough of them → 429 (the login backoff)
    wrong = change(logged_in, password="not my password")
    assert wrong.status_code == 400 and wrong.json()["fields"]["password"]
    assert not OutboxMessage.objects.exists()
    free = settings.GATEHOUSE["LOGIN_BACKOFF"]["FREE_ATTEMPTS_PER_ACCOUNT_AND_IP"]
    statuses = [change(logged_in, password="not my password").status_code for _ in range(free + 1)]
    assert statuses[-1] == 429


def test_change_needs_a_recent_authentication(logged_in):
    # repro: a login older than REAUTH_MAX_AGE → 403 reauthentication_required; after reauthenticate → 202
    with time_machine.travel(time.time() + 301, tick=False):
        logged_in.refresh()  # a valid access token, but the authentication is 301 s old
        stale = change(logged_in)
        assert stale.status_code == 403 and stale.json()["code"] == "reauthentication_required"
        token = logged_in.post("/api/auth/reauthenticate/", {"password": PASSWORD}).json()["access"]
        logged_in.access = token
        assert change(logged_in).status_code == 202


def test_change_needs_a_bearer_token(db):
    assert APIClient().post(CHANGE, {"new_email": "x@example.com", "password": PASSWORD}, format="json").status_code == 401


@pytest.mark.parametrize(
    "body, field",
    [({"new_email": "ALICE@example.com", "password": PASSWORD}, "new_email"),
     ({"new_email": "not an address", "password": PASSWORD}, "new_email"),
     ({"new_email": "alice@new.example"}, "password"),
     ({"password": PASSWORD}, "new_email")],
)
def test_change_field_messages(logged_in, body, field):
    response = logged_in.post(CHANGE, body)
    assert response.status_code == 400 and response.json()["fields"][field]


def test_change_to_an_address_in_use_answers_the_same_and_sends_it_nothing(logged_in, make_user, smtp_server):
    # repro: change to bob's address → the same 202 as any change; bob gets no mail; the old address its notice
    make_user("bob")
    taken = change(logged_in, new_email="BOB@example.com")
    free = change(logged_in, new_email="alice@new.example")
    assert taken.status_code == free.status_code == 202 and taken.json() == free.json()
    received = delivered(smtp_server, 3)
    assert sorted(m["To"] for m in received) == ["alice@example.com", "alice@example.com", "alice@new.example"]


def test_a_change_link_is_refused_when_the_new_address_was_taken_meanwhile(logged_in, user, make_user, smtp_server):
    # repro: a change link to alice@new.example; bob signs up with that address; the link → 400 email_taken, no change
    change(logged_in)
    to_new = [m for m in delivered(smtp_server, 2) if m["To"] == "alice@new.example"][0]
    make_user("bob", email="Alice@New.example")
    response = verify(link_token(to_new))
    assert response.status_code == 400 and response.json()["code"] == "email_taken"
    user.refresh_from_db()
    assert user.email == "alice@example.com"


def test_a_change_link_dies_when_the_password_changes(logged_in, user, smtp_server):
    # repro: a change link, then the password changed → the link no longer changes the address
    change(logged_in)
    to_new = [m for m in delivered(smtp_server, 2) if m["To"] == "alice@new.example"][0]
    user.set_password("changed elsewhere 12345")
    user.save()
    assert verify(link_token(to_new)).json()["code"] == "token_invalid"
    user.refresh_from_db()
    assert user.email == "alice@example.com"


def test_of_two_change_links_only_the_first_used_works(logged_in, user, smtp_server):
    change(logged_in, new_email="one@new.example")
    change(logged_in, new_email="two@new.example")
    received = delivered(smtp_server, 4)
    one = link_token([m for m in received if m["To"] == "one@new.example"][0])
    two = link_token([m for m in received if m["To"] == "two@new.example"][0])
    assert verify(two).status_code == 204
    assert verify(one).json()["code"] == "token_invalid"
    user.refresh_from_db()
    assert user.email == "two@new.example"


def test_change_without_mail_set_up_answers_503(logged_in, settings):
    settings.EMAIL_URL = None
    response = change(logged_in)
    assert response.status_code == 503 and response.json()["code"] == "email_unavailable"


def test_links_start_with_site_url_whatever_the_host(logged_in, smtp_server, settings):
    # repro: Host: evil.example on the change request → the link still starts with SITE_URL
    settings.ALLOWED_HOSTS = ["*"]
    logged_in.post(CHANGE, {"new_email": "alice@new.example", "password": PASSWORD}, HTTP_HOST="evil.example")
    for message in delivered(smtp_server, 2):
        assert "evil.example" not in body_text(message)
