"""Providers keep their client secret sealed; an identity is unique per (provider, subject)."""
import pytest
from django.db import IntegrityError

from accounts.federation.models import FederationState, Identity, Provider

pytestmark = pytest.mark.django_db


def make_provider(slug="acme", secret="s3cret-of-the-client"):
    provider = Provider(slug=slug, name="Acme", kind="oidc", client_id="gatehouse", issuer="https://id.acme.test")
    provider.set_client_secret(secret)
    provider.save()
    return provider


def test_the_client_secret_is_sealed_at_rest_and_opens_again():
    provider = make_provider()
    stored = Provider.objects.values_list("client_secret_sealed", flat=True).get(pk=provider.pk)
    assert "s3cret" not in stored and stored.startswith("v1.")
    assert Provider.objects.get(pk=provider.pk).client_secret == "s3cret-of-the-client"


def test_a_sealed_secret_copied_to_another_provider_does_not_open():
    one = make_provider("one")
    two = make_provider("two", secret="another")
    Provider.objects.filter(pk=two.pk).update(client_secret_sealed=one.client_secret_sealed)
    assert Provider.objects.get(pk=two.pk).client_secret == ""


def test_one_subject_of_a_provider_is_one_identity(make_user):
    provider = make_provider()
    Identity.objects.create(user=make_user("alice"), provider=provider, subject="248289761001")
    with pytest.raises(IntegrityError):
        Identity.objects.create(user=make_user("bob"), provider=provider, subject="248289761001")


def test_cleanup_deletes_sign_ins_in_flight_that_expired():
    import datetime
    import io

    from django.core.management import call_command
    from django.utils import timezone

    from accounts.federation import state

    provider = make_provider()
    _, expired = state.begin(provider=provider, intent="login", redirect_uri="http://testserver/cb", next_path="/")
    _, live = state.begin(provider=provider, intent="login", redirect_uri="http://testserver/cb", next_path="/")
    FederationState.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    out = io.StringIO()
    call_command("cleanup_sessions", stdout=out)
    assert "Deleted 1 expired sign-ins through other identity providers" in out.getvalue()
    assert list(FederationState.objects.values_list("pk", flat=True)) == [live.pk]
