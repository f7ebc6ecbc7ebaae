"""A provider's address that only looks like an account's (Unicode compatibility forms) must not enter that account."""
import pytest
from django.utils import timezone

from accounts.federation.models import Identity, Provider
from accounts.models import RefreshSession
from tests.federation.conftest import error_of
from tests.federation.test_id_tokens import CLIENT_ID, Attempt, forged, forging  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(make_user):
    return make_user("alice", email="alice@example.com", email_verified_at=timezone.now())


@pytest.mark.parametrize("address", ["\uff41lice@example.com", "\u1d43lice@example.com"])
def test_a_trusted_provider_address_that_only_normalises_to_an_account_does_not_enter_it(forged, alice, address):  # noqa: F811
    """Repro: a provider marked trusted_email verifies "ａlice@example.com" (fullwidth a: another mailbox to
    that provider and to the mail server) and the first sign-in was linked into alice@example.com's account."""
    Provider.objects.filter(slug="forged").update(trusted_email=True)
    attempt = Attempt(forged)
    response = attempt.answer(forged.sign(attempt.claims(sub="lookalike", email=address, email_verified=True)))
    assert not Identity.objects.filter(user=alice).exists()
    assert not RefreshSession.objects.filter(user=alice).exists()
    assert error_of(response) == "account_exists"


def test_a_trusted_provider_address_in_another_case_is_the_same_address(forged, alice):  # noqa: F811
    """Case is not a trick: the account system treats addresses case-insensitively, so this one links (held)."""
    Provider.objects.filter(slug="forged").update(trusted_email=True)
    attempt = Attempt(forged)
    claims = attempt.claims(sub="alice-sub", email="Alice@EXAMPLE.com", email_verified=True)
    response = attempt.answer(forged.sign(claims))
    assert response.status_code == 302 and response["Location"] == "/"
    assert Identity.objects.get().user == alice
