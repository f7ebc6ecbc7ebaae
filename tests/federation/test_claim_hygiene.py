"""Claims are the provider's users' own text: control characters in them must not reach a row (a 500 on PostgreSQL)."""
import pytest

from accounts.federation.models import FederatedSignIn, Identity
from tests.federation.test_id_tokens import Attempt, forged, forging  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("claims", [
    {"name": "Eve\x00Evil Twin", "email": "eve@example.com"},
    {"name": "Eve\x07\x1b[31m Red", "email": "eve@example.com"},
    {"email": "eve\x00@example.com"},
    {"email": "eve@exa\x00mple.com"},
])
def test_a_control_character_in_a_claim_signs_up_without_it_not_a_server_error(forged, claims):  # noqa: F811
    """Repro: a provider user names themselves "Eve\\u0000Evil" (or an address with a NUL): the callback was a 500
    on PostgreSQL (NUL in a text column); the name is kept without the control characters, such an address not at all."""
    attempt = Attempt(forged)
    attempt.client.raise_request_exception = False
    response = attempt.answer(forged.sign(attempt.claims(sub="eve-sub", **claims)))
    assert response.status_code == 302 and response["Location"] == "/", response
    user = Identity.objects.get(subject="eve-sub").user
    stored = (user.first_name, user.last_name, user.email, Identity.objects.get().email)
    assert not any(ord(c) < 0x20 for value in stored for c in value), stored
    if "name" in claims:
        assert user.first_name.startswith("Eve") and user.email == "eve@example.com"
    else:
        assert user.email == ""


def test_a_control_character_in_the_subject_is_refused_and_in_the_sid_ignored(forged):  # noqa: F811
    """Repro: an ID token whose sub (or sid) holds a NUL: the identity's (or the sign-in's) row was a 500 on PostgreSQL."""
    attempt = Attempt(forged)
    attempt.client.raise_request_exception = False
    response = attempt.answer(forged.sign(attempt.claims(sub="sub\x00nul")))
    assert response.status_code == 302 and "error=federation_failed" in response["Location"]
    attempt = Attempt(forged)
    attempt.client.raise_request_exception = False
    response = attempt.answer(forged.sign(attempt.claims(sub="clean-sub", sid="sid\x00nul")))
    assert response.status_code == 302 and response["Location"] == "/", response
    assert FederatedSignIn.objects.get().provider_sid == ""


@pytest.mark.parametrize("unstorable", ["\ud800", "\x85"], ids=["lone-surrogate", "c1-control"])
def test_a_lone_surrogate_or_c1_control_in_the_sub_is_refused_and_in_the_sid_ignored(forged, unstorable):  # noqa: F811
    """Repro: an ID token whose sub is "sub\\ud800" (JSON's escape of a lone surrogate): the lookup of its identity
    could not even be encoded for the database (a 500), where a NUL was already refused; the check covered only
    C0 and DEL, not what accounts.text calls unstorable."""
    attempt = Attempt(forged)
    attempt.client.raise_request_exception = False
    response = attempt.answer(forged.sign(attempt.claims(sub=f"sub{unstorable}x"), escaped=True))
    assert response.status_code == 302 and "error=federation_failed" in response["Location"], response
    assert not Identity.objects.exists()
    attempt = Attempt(forged)
    attempt.client.raise_request_exception = False
    response = attempt.answer(forged.sign(attempt.claims(sub="clean-sub", sid=f"sid{unstorable}x"), escaped=True))
    assert response.status_code == 302 and response["Location"] == "/", response
    assert FederatedSignIn.objects.get().provider_sid == ""


@pytest.mark.parametrize("path", ["/account\ud800", "/account\x85", "/account\x00"])
def test_a_path_to_come_back_to_with_an_unstorable_character_is_the_home_page(path):
    """Repro: ``start`` with {"next": "/account\\ud800"} (JSON's escape of a lone surrogate) kept it for the sign-in
    in flight, whose row could not be written (a 500); only C0 and DEL were turned away."""
    from accounts.federation.flows import safe_next

    assert safe_next(path) == "/"
