"""A change-of-address link expires after ``EMAIL_VERIFICATION_TTL``, like a verification link.

Through the HTTP API and a real SMTP server: the link is asked for with
``POST /api/auth/email/change/``, read from the mail, and used with
``POST /api/auth/email/verify/``.
"""
import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.mail import outbox
from accounts.models import SecurityEvent, SecurityEventKind
from tests.conftest import PASSWORD
from tests.smtp import body_text

pytestmark = pytest.mark.django_db

SITE = "https://gatehouse.test"
TTL_SECONDS = 3600
NEW_ADDRESS = "alice@new.example"


@pytest.fixture(autouse=True)
def _site(settings, smtp_server):
    settings.SITE_URL = SITE
    settings.GATEHOUSE = {**settings.GATEHOUSE, "EMAIL_VERIFICATION_TTL": TTL_SECONDS}


def change_link_token(logged_in, smtp_server):
    """Ask for a change of address; the token of the link mailed to the new address."""
    response = logged_in.post("/api/auth/email/change/", {"new_email": NEW_ADDRESS, "password": PASSWORD})
    assert response.status_code == 202, response.content
    while outbox.deliver_due():
        pass
    smtp_server.wait_for(2)
    (mail,) = smtp_server.to(NEW_ADDRESS)
    match = re.search(r"https://gatehouse\.test/verify-email#token=([A-Za-z0-9_\-.]+)", body_text(mail))
    assert match, body_text(mail)
    return match.group(1)


def use(token):
    return APIClient().post("/api/auth/email/verify/", {"token": token}, format="json")


def test_a_change_of_address_link_past_the_ttl_is_token_invalid_and_the_address_stays(logged_in, user, smtp_server):
    # repro: ask for a change of address, wait past EMAIL_VERIFICATION_TTL, open the link → 400 token_invalid,
    # the address unchanged and unverified, no event; the same link within the TTL would have worked
    issued = timezone.now()
    token = change_link_token(logged_in, smtp_server)

    with time_machine.travel(issued + timedelta(seconds=TTL_SECONDS + 5), tick=False):
        stale = use(token)
    assert stale.status_code == 400, stale.content
    assert stale.json()["code"] == "token_invalid"
    user.refresh_from_db()
    assert user.email == "alice@example.com" and user.email_verified_at is None
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.EMAIL_CHANGED).exists()

    # The link itself was good: only its age refused it.
    with time_machine.travel(issued + timedelta(seconds=TTL_SECONDS - 60), tick=False):
        assert use(token).status_code == 204
    user.refresh_from_db()
    assert user.email == NEW_ADDRESS
