"""Password reset by email: POST /api/auth/password-reset/ and …/confirm/ (contract: "Account recovery and email")."""
import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.mail import outbox
from accounts.mail.models import OutboxMessage
from accounts.models import RevocationReason, SecurityEvent, SecurityEventKind
from tests.conftest import PASSWORD, login
from tests.smtp import body_text

SITE = "https://gatehouse.test"
NEW_PASSWORD = "a brand new passphrase 42"
REQUEST = "/api/auth/password-reset/"
CONFIRM = "/api/auth/password-reset/confirm/"


@pytest.fixture(autouse=True)
def _site(settings, smtp_server):
    settings.SITE_URL = SITE


def ask(client, email="alice@example.com", **extra):
    return client.post(REQUEST, {"email": email}, format="json", **extra)


def confirm(client, token, password=NEW_PASSWORD):
    return client.post(CONFIRM, {"token": token, "new_password": password}, format="json")


def delivered(smtp_server, count):
    while outbox.deliver_due():
        pass
    return smtp_server.wait_for(count)


def token_from(message):
    match = re.search(r"reset-password#token=([A-Za-z0-9_\-.]+)", body_text(message))
    assert match, body_text(message)
    return match.group(1)


def reset_token(client, smtp_server, email="alice@example.com"):
    assert ask(client, email).status_code == 202
    (mail,) = [m for m in delivered(smtp_server, 1) if m["Subject"].startswith("Reset")][-1:]
    return token_from(mail)


@pytest.mark.django_db
def test_known_and_unknown_addresses_get_the_same_answer_and_only_the_known_a_mail(client, user, smtp_server):
    # repro: ask for a reset for alice@example.com and for nobody@example.com → same 202 body; one mail, to alice
    known = ask(client, "alice@example.com")
    unknown = ask(client, "nobody@example.com")
    assert (known.status_code, unknown.status_code) == (202, 202)
    assert known.json() == unknown.json() and "detail" in known.json()
    received = delivered(smtp_server, 1)
    assert [m["To"] for m in received] == ["alice@example.com"]
    assert OutboxMessage.objects.count() == 1
    assert body_text(received[0]).count(f"{SITE}/reset-password#token=") == 1
    kinds = SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_RESET_REQUESTED)
    assert kinds.count() == 2  # both requests are recorded, the unknown one by the address typed


@pytest.mark.django_db
def test_address_is_matched_case_insensitively_and_inactive_accounts_get_nothing(client, make_user, smtp_server):
    make_user("alice")
    make_user("bob", is_active=False)
    assert ask(client, "ALICE@Example.COM").status_code == 202
    assert ask(client, "bob@example.com").status_code == 202
    assert [m["To"] for m in delivered(smtp_server, 1)] == ["alice@example.com"]


@pytest.mark.django_db
def test_token_is_single_use(client, user, smtp_server):
    # repro: confirm with a token twice → 204, then 400 token_invalid; the new password works
    token = reset_token(client, smtp_server)
    assert confirm(client, token).status_code == 204
    again = confirm(client, token, "yet another passphrase 7")
    assert again.status_code == 400 and again.json()["code"] == "token_invalid"
    assert login(APIClient(), password=NEW_PASSWORD).status_code == 200
    assert login(APIClient(), password=PASSWORD).status_code == 401


@pytest.mark.django_db
def test_token_expires_after_the_ttl(client, user, smtp_server, settings):
    # repro: a token older than PASSWORD_RESET_TTL → 400 token_invalid, the password unchanged
    settings.GATEHOUSE = {**settings.GATEHOUSE, "PASSWORD_RESET_TTL": 600}
    token = reset_token(client, smtp_server)
    with time_machine.travel(timezone.now() + timedelta(seconds=601)):
        response = confirm(client, token)
    assert response.status_code == 400 and response.json()["code"] == "token_invalid"
    with time_machine.travel(timezone.now() + timedelta(seconds=590)):
        assert confirm(client, token).status_code == 204


@pytest.mark.django_db
def test_token_dies_when_the_password_changes(client, user, smtp_server):
    # repro: a reset link, then the password changed another way → the link no longer works
    token = reset_token(client, smtp_server)
    user.set_password("changed elsewhere 12345")
    user.save()
    response = confirm(client, token)
    assert response.status_code == 400 and response.json()["code"] == "token_invalid"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "token",
    ["", "nonsense", "a.b.c", "MQ.zzzzzzzzzzzzzz.x", "OTk5OTk5OTk5OTk5OTk5OTk5OTk.1.x", "YWJj.1.x", "x" * 199, "x" * 3000],
)
def test_unknown_or_malformed_tokens(client, user, token):
    # repro: any wrong token, however malformed (empty, huge, a pk out of range, not a number) → 400 token_invalid
    response = confirm(client, token)
    assert response.status_code == 400
    assert response.json()["code"] == "token_invalid"


@pytest.mark.django_db
def test_reset_ends_every_session_at_once(client, logged_in, log_in, smtp_server):
    # repro: two devices logged in; the password is reset → refresh 401 and access token 401 on both, at once
    other = log_in()
    token = reset_token(APIClient(), smtp_server)
    assert confirm(APIClient(), token).status_code == 204
    for device in (logged_in, other):
        assert device.get("/api/auth/me/").status_code == 401
        assert device.refresh().status_code == 401
    event = SecurityEvent.objects.filter(kind=SecurityEventKind.SESSION_REVOKED).latest("created_at")
    assert event.reason == RevocationReason.PASSWORD_RESET
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_RESET, user=logged_in.response.json()["user"]["id"]).exists()


@pytest.mark.django_db
def test_reset_mails_a_notice(client, user, smtp_server):
    token = reset_token(client, smtp_server)
    assert confirm(client, token).status_code == 204
    received = delivered(smtp_server, 2)
    notice = [m for m in received if m["Subject"] == "Your Gatehouse password was reset"]
    assert len(notice) == 1 and notice[0]["To"] == "alice@example.com"
    assert "token=" not in body_text(notice[0])


@pytest.mark.django_db
def test_a_forged_host_does_not_change_the_link(client, user, smtp_server, settings):
    # repro: Host: evil.example (and X-Forwarded-Host) on the request → the mail's link still starts with SITE_URL
    settings.ALLOWED_HOSTS = ["*"]
    response = ask(client, HTTP_HOST="evil.example", HTTP_X_FORWARDED_HOST="evil.example")
    assert response.status_code == 202
    (mail,) = delivered(smtp_server, 1)
    assert "evil.example" not in body_text(mail)
    assert f"{SITE}/reset-password#token=" in body_text(mail)


@pytest.mark.django_db
def test_weak_password_is_refused_with_field_messages_and_the_token_still_works(client, user, smtp_server):
    # repro: confirm with "password" → 400 with fields.new_password; the same link then works with a good one
    token = reset_token(client, smtp_server)
    response = confirm(client, token, "password")
    assert response.status_code == 400
    assert response.json()["fields"]["new_password"]
    assert confirm(client, token, "alice").json()["fields"]["new_password"]
    assert confirm(client, token).status_code == 204


@pytest.mark.django_db
def test_malformed_request_is_400(client):
    for body in ({}, {"email": "not an address"}, {"email": ["a@b.c"]}):
        response = client.post(REQUEST, body, format="json")
        assert response.status_code == 400 and response.json()["code"] == "invalid"


@pytest.mark.django_db
def test_throttled_per_target_address(client, user, settings):
    # repro: the same address requested four times from different IPs → the fourth is 429 with Retry-After, known or not
    for address in ("alice@example.com", "nobody@example.com"):
        for number in range(3):
            assert ask(client, address, REMOTE_ADDR=f"198.51.100.{number}").status_code == 202
        throttled = ask(client, address.upper(), REMOTE_ADDR="198.51.100.99")
        assert throttled.status_code == 429
        assert int(throttled["Retry-After"]) > 0 and throttled.json()["code"] == "throttled"


@pytest.mark.django_db
def test_throttled_per_ip(client, user):
    # repro: one IP asks for ten different addresses, then an eleventh → 429 with Retry-After
    for number in range(10):
        assert ask(client, f"someone{number}@example.com").status_code == 202
    throttled = ask(client, "someone-else@example.com")
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0


@pytest.mark.django_db
def test_without_site_url_production_answers_503_for_everyone(client, user, settings):
    # repro: production with SITE_URL unset → 503 recovery_unavailable, known or unknown, and no mail queued
    settings.SITE_URL = None
    for address in ("alice@example.com", "nobody@example.com"):
        response = ask(client, address)
        assert response.status_code == 503 and response.json()["code"] == "recovery_unavailable"
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_without_email_url_production_answers_503(client, user, settings):
    settings.EMAIL_URL = None
    response = ask(client)
    assert response.status_code == 503 and response.json()["code"] == "recovery_unavailable"
