"""A refresh token is accepted in exactly one textual form: the one the server issued."""
import uuid

import pytest

from accounts.models import RefreshSession, SecurityEvent, SecurityEventKind
from accounts.sessions import tokens
from tests.sessions.test_refresh import assert_refresh_refused

pytestmark = pytest.mark.django_db


def respelled(token, variant):
    session_hex, generation, mac = token.split(".")
    spelled = {
        "upper-case id": (session_hex.upper(), generation, mac),
        "braced id": ("{" + session_hex + "}", generation, mac),
        "hyphenated id": (str(uuid.UUID(hex=session_hex)), generation, mac),
        "urn:uuid: id": ("urn:uuid:" + session_hex, generation, mac),
        "upper-case urn:uuid: id": ("URN:UUID:" + session_hex, generation, mac),
        "leading zero": (session_hex, "0" + generation, mac),
        "plus sign": (session_hex, "+" + generation, mac),
        "leading space": (session_hex, " " + generation, mac),
        "trailing space": (session_hex, generation + " ", mac),
        "padded mac": (session_hex, generation, mac + "="),
        "mac with an extra character": (session_hex, generation, mac + "A"),
    }[variant]
    return ".".join(spelled)


VARIANTS = [
    "upper-case id", "braced id", "hyphenated id", "urn:uuid: id", "upper-case urn:uuid: id", "leading zero",
    "plus sign", "leading space", "trailing space", "padded mac", "mac with an extra character",
]


@pytest.mark.parametrize("variant", VARIANTS)
def test_another_spelling_of_the_current_token_is_refused_without_ending_the_session(logged_in, variant):
    # repro: the current token with its id upper-cased/braced/hyphenated/urn-prefixed or its generation "01" rotated
    assert logged_in.refresh().status_code == 200  # generation 1, so that "01" is a leading zero
    genuine = logged_in.refresh_token

    assert_refresh_refused(logged_in.refresh(respelled(genuine, variant)))

    session = RefreshSession.objects.get()
    assert session.generation == 1 and session.revoked_at is None
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.REUSE_DETECTED).exists()
    assert logged_in.refresh(genuine).status_code == 200  # the genuine token still works afterwards


@pytest.mark.parametrize("variant", VARIANTS)
def test_another_spelling_of_a_replaced_token_is_refused_and_is_not_a_reuse(logged_in, variant):
    # repro: a replaced token respelled was taken for that token (a reuse that revokes the session)
    replaced = logged_in.refresh_token
    logged_in.refresh()
    logged_in.refresh()

    assert_refresh_refused(logged_in.refresh(respelled(replaced, variant)))

    assert RefreshSession.objects.get().revoked_at is None
    assert logged_in.refresh().status_code == 200


@pytest.mark.parametrize("variant", VARIANTS)
def test_logout_with_another_spelling_does_not_end_the_session(logged_in, variant):
    # repro: POST /api/auth/logout/ with the current token's id upper-cased ended the session
    logged_in.client.cookies["refresh_token"] = respelled(logged_in.refresh_token, variant)

    assert logged_in.client.post("/api/auth/logout/").status_code == 204

    assert RefreshSession.objects.get().revoked_at is None
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.LOGOUT).exists()
    assert logged_in.refresh().status_code == 200


def test_parse_accepts_the_issued_form_and_nothing_else():
    # repro: tokens.parse() took "01" for generation 1 and an upper-case id for the issued lower-case one
    session_id = uuid.uuid4()
    issued = tokens.refresh_token_for(session_id=session_id, generation=10, seed=tokens.new_seed())

    parsed = tokens.parse(issued)

    assert (parsed.session_id, parsed.generation) == (session_id, 10)
    for variant in VARIANTS:
        assert tokens.parse(respelled(issued, variant)) is None, variant
    assert tokens.parse(issued.replace(".10.", ".010.")) is None
    assert tokens.parse(issued.replace(".10.", ".\uff11\uff10.")) is None  # full-width digits
    assert tokens.parse(f"{session_id.hex}.0.{issued.rsplit('.', 1)[1]}") is not None  # "0" itself is canonical
