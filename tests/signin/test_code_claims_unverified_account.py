"""A first sign-in with a mailed code takes the account from whoever set it up before the address was proven.

Repro (found building sign-in by code): someone signs up with the victim's
address (never verified) and a password of their own. The victim later
signs in with a code mailed to that address: the address became verified and
the victim used the account, while the other still signed in with the
password, their session and personal token still worked.
"""
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import SecurityEvent, SecurityEventKind
from tests.conftest import PASSWORD, login
from tests.signin.test_email_code import _site, ask, confirm, delivered, mailed_code  # noqa: F401  (_site: autouse)

pytestmark = pytest.mark.django_db

VICTIM = "victim@example.com"


def test_a_first_code_sign_in_ends_the_password_sessions_and_tokens_of_the_unverified_past(
    make_user, log_in, smtp_server
):
    make_user("squatter", email=VICTIM)
    squatter = log_in("squatter")
    token = squatter.post("/api/auth/tokens/", {"name": "kept", "expires_in_days": 30, "scopes": ["profile:read"]})
    assert token.status_code == 201, token.content
    personal = APIClient()
    personal.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['token']}")

    assert ask(VICTIM).status_code == 202
    victim = confirm(VICTIM, mailed_code(smtp_server, VICTIM))

    assert victim.status_code == 200, victim.content
    assert login(APIClient(), "squatter", PASSWORD).status_code == 401
    assert login(APIClient(), VICTIM, PASSWORD).status_code == 401
    assert squatter.get("/api/auth/me/").status_code == 401
    assert squatter.refresh().status_code == 401
    assert personal.get("/api/auth/me/").status_code == 401
    owner = APIClient()
    owner.credentials(HTTP_AUTHORIZATION=f"Bearer {victim.json()['access']}")
    assert owner.get("/api/auth/me/").status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_RESET, reason="login_code").count() == 1
    notice = [m for m in delivered(smtp_server, 2) if "old password was removed" in m["Subject"]]
    assert len(notice) == 1 and notice[0]["To"] == VICTIM


def test_a_code_sign_in_of_a_verified_account_keeps_its_password_and_sessions(make_user, log_in, smtp_server):
    make_user("alice", email_verified_at=timezone.now())
    laptop = log_in("alice")

    assert ask("alice@example.com").status_code == 202
    assert confirm("alice@example.com", mailed_code(smtp_server, "alice@example.com")).status_code == 200

    assert laptop.get("/api/auth/me/").status_code == 200
    assert login(APIClient(), "alice", PASSWORD).status_code == 200
