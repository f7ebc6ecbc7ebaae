"""A company domain's address: another provider's first sign-in must not even link to its account."""
import pytest
from django.utils import timezone

from accounts.federation.models import Identity, Provider
from tests.federation.conftest import error_of
from tests.federation.test_id_tokens import Attempt, forged, forging  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_a_trusted_provider_that_does_not_own_the_domain_links_nothing_to_a_company_account(forged, make_user):  # noqa: F811
    """Repro: bob@acme.example (acme.example owned, required, by provider "owner"); provider "forged" marked
    trusted_email vouches for bob@acme.example, verified: the answer was sso_required, but its identity had been
    linked to bob's account (and bob mailed) all the same, ready for the day the requirement is lifted."""
    bob = make_user("bob", email="bob@acme.example", email_verified_at=timezone.now())
    owner = Provider(slug="owner", name="Owner", kind="oidc", client_id="owner-client",
                     issuer="http://127.0.0.1:9", domains=["acme.example"], require_for_domains=True)
    owner.set_client_secret("the owner's client secret")
    owner.save()
    Provider.objects.filter(slug="forged").update(trusted_email=True)
    attempt = Attempt(forged)
    response = attempt.answer(forged.sign(attempt.claims(sub="bob-elsewhere", email="bob@acme.example",
                                                         email_verified=True)))
    assert error_of(response) == "sso_required"
    assert not Identity.objects.filter(user=bob).exists()
