import pytest

from accounts.limits.net import ClientInfo
from accounts.passkeys import challenges, flows
from accounts.sessions import lifecycle
from tests.passkeys import recording

CLIENT = ClientInfo("203.0.113.7", "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0")


@pytest.fixture
def relying_party(settings):
    """The app served at http://localhost:8000 (an RP ID cannot be an IP address)."""
    settings.SITE_URL = recording.ORIGIN
    settings.WEBAUTHN_RP_ID = None
    return settings


@pytest.fixture
def session(user):
    return lifecycle.start_session(user=user, client=CLIENT).session


@pytest.fixture
def next_challenge(monkeypatch):
    """``next_challenge(value)``: the next challenge the server issues is ``value`` (base64url)."""

    def set_next(value):
        monkeypatch.setattr(challenges, "_new_challenge", lambda: recording.unb64(value))

    return set_next


@pytest.fixture
def fixed_user_handle(monkeypatch):
    monkeypatch.setattr(flows, "_new_user_handle", lambda: recording.USER_HANDLE)
    return recording.USER_HANDLE
