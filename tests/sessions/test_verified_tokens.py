"""Each process checks an access token's signature once; expiry and session on every request."""
import time

import jwt
import pytest
import time_machine

from accounts.sessions.jwt_keys import KeyringTokenBackend
from accounts.sessions.verified_tokens import VerifiedTokens, verified_tokens

pytestmark = pytest.mark.django_db


@pytest.fixture
def decodes(monkeypatch):
    """How many times a token's signature and claims were checked in full."""
    calls = []
    decode = KeyringTokenBackend.decode

    def counting_decode(self, token, verify=True):
        calls.append(token)
        return decode(self, token, verify)

    monkeypatch.setattr(KeyringTokenBackend, "decode", counting_decode)
    return calls


def test_a_token_is_checked_in_full_once_then_remembered(logged_in, decodes):
    assert logged_in.get("/api/auth/me/").status_code == 200
    assert logged_in.get("/api/auth/me/").status_code == 200
    assert logged_in.get("/api/auth/sessions/").status_code == 200

    assert len(decodes) == 1


def test_a_remembered_token_is_still_refused_once_it_expires(logged_in):
    expires = jwt.decode(logged_in.access, options={"verify_signature": False})["exp"]
    with time_machine.travel(time.time(), tick=False) as clock:
        assert logged_in.get("/api/auth/me/").status_code == 200
        clock.move_to(expires - 0.5)
        assert logged_in.get("/api/auth/me/").status_code == 200
        clock.move_to(expires)

        response = logged_in.get("/api/auth/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"
    assert len(verified_tokens) == 0


def test_a_remembered_token_is_refused_at_once_after_logout_all(logged_in):
    assert logged_in.get("/api/auth/me/").status_code == 200
    assert logged_in.post("/api/auth/logout-all/").status_code == 204

    response = logged_in.get("/api/auth/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "session_ended"


def test_a_remembered_token_is_refused_at_once_when_the_user_is_deactivated(logged_in, user):
    assert logged_in.get("/api/auth/me/").status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert logged_in.get("/api/auth/me/").status_code == 401


def test_a_tampered_copy_of_a_remembered_token_is_refused(logged_in):
    genuine = logged_in.access
    assert logged_in.get("/api/auth/me/").status_code == 200
    head, payload, signature = genuine.split(".")
    logged_in.access = f"{head}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"

    response = logged_in.get("/api/auth/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_changing_the_signing_key_forgets_remembered_tokens(logged_in, settings):
    assert logged_in.get("/api/auth/me/").status_code == 200
    jwt_settings = {**settings.GATEHOUSE["JWT"], "SIGNING_KEY": "another key, long enough for HS256 " * 2}
    settings.GATEHOUSE = {**settings.GATEHOUSE, "JWT": jwt_settings}

    assert len(verified_tokens) == 0
    assert logged_in.get("/api/auth/me/").status_code == 401


def test_the_memory_keeps_the_most_recently_used_tokens_up_to_its_size(settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "VERIFIED_TOKEN_CACHE_SIZE": 2}
    memory = VerifiedTokens()
    future = time.time() + 60
    for name in (b"first", b"second"):
        memory.remember(name, name.upper(), expires=future)
    memory.get(b"first")  # now the most recently used

    memory.remember(b"third", b"THIRD", expires=future)

    assert len(memory) == 2
    assert memory.get(b"second") is None
    assert memory.get(b"first") == b"FIRST"
    assert memory.get(b"third") == b"THIRD"


def test_a_size_of_zero_checks_every_token_in_full(logged_in, settings, decodes):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "VERIFIED_TOKEN_CACHE_SIZE": 0}

    for _ in range(3):
        assert logged_in.get("/api/auth/me/").status_code == 200

    assert len(decodes) == 3
    assert len(verified_tokens) == 0
