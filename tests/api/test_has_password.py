"""The user says whether a password is set, so the account page offers a change or a first one by mail."""
import pytest

from accounts.limits.net import ClientInfo
from accounts.sessions.lifecycle import start_session
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_an_account_with_a_password_says_so(logged_in):
    assert logged_in.get("/api/auth/me/").json()["has_password"] is True


def test_an_account_without_a_usable_password_says_it_has_none(client, make_user):
    # Repro (issue 25): a provider-only account was offered "Change password" with its current password.
    carol = make_user("carol", password=None)
    assert not carol.has_usable_password()
    issued = start_session(user=carol, client=ClientInfo(ip_address="192.0.2.9", user_agent="test"), methods=("fed",))

    me = client.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {issued.access}")

    assert me.status_code == 200 and me.json()["has_password"] is False


def test_the_login_answers_user_carries_it_too(client, user):
    assert login(client).json()["user"]["has_password"] is True
