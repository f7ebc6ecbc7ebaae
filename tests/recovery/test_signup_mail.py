"""The sign-up answer says whether a verification mail went out, for the app's "check your mail" (issue 19, item 16)."""
import pytest
from rest_framework.test import APIClient

from accounts.mail.models import OutboxMessage

pytestmark = pytest.mark.django_db

BODY = {"username": "carol", "email": "carol@example.com", "password": "a long enough passphrase"}


def sign_up():
    return APIClient().post("/api/auth/register/", BODY, format="json")


def test_sign_up_says_a_verification_mail_was_sent(settings, smtp_server):
    # Repro: after sign-up nothing said "check your mail"; the app could not tell whether a mail went out.
    settings.SITE_URL = "https://gatehouse.test"
    answer = sign_up()
    assert answer.status_code == 201 and answer.json()["verification_sent"] is True
    assert OutboxMessage.objects.filter(to="carol@example.com").count() == 1


@pytest.mark.parametrize("setup", ["no SITE_URL", "verification none"])
def test_sign_up_says_no_mail_was_sent_when_none_was(settings, smtp_server, setup):
    settings.SITE_URL = None if setup == "no SITE_URL" else "https://gatehouse.test"
    if setup == "verification none":
        settings.GATEHOUSE = {**settings.GATEHOUSE, "SIGNUP_EMAIL_VERIFICATION": "none"}
    answer = sign_up()
    assert answer.status_code == 201 and answer.json()["verification_sent"] is False
    assert not OutboxMessage.objects.exists()
