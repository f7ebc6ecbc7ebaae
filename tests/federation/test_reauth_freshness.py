""""Confirm it's you" through a provider must prove a fresh sign-in there, not an old session the provider reused."""
import datetime
import time

import pytest
from django.utils import timezone

from accounts.federation import metadata
from accounts.federation.models import FederationState, Identity, Provider
from accounts.models import RefreshSession
from tests.federation.conftest import error_of
from tests.federation.forged import ForgingProvider

pytestmark = pytest.mark.django_db

CLIENT_ID = "gatehouse-forged"


@pytest.fixture(scope="module")
def forging():
    running = ForgingProvider()
    yield running
    running.stop()


@pytest.fixture
def linked(forging, logged_in, user):
    """alice, signed in some minutes ago, with the forging provider's "forged-subject" linked to her account."""
    metadata.forget()
    forging.published, forging.token_extra = [forging.key], {}
    provider = Provider(slug="forged", name="Forged", kind="oidc", client_id=CLIENT_ID, issuer=forging.issuer)
    provider.set_client_secret("a-client-secret-0123456789-0123456789")
    provider.save()
    Identity.objects.create(user=user, provider=provider, subject="forged-subject")
    RefreshSession.objects.update(authenticated_at=timezone.now() - datetime.timedelta(minutes=30))
    yield logged_in
    metadata.forget()


def reauthenticate(linked, forging, **claims):
    started = linked.post("/api/auth/federation/forged/start/", {"intent": "reauth", "next": "/account"})
    assert started.status_code == 200, started.content
    flight = FederationState.objects.get()
    forging.id_token = forging.sign(forging.claims(nonce=flight.nonce, client_id=CLIENT_ID, **claims))
    return started, linked.client.get("/api/auth/federation/forged/callback/", {
        "code": "any-code", "state": flight.state, "iss": forging.issuer,
    })


def test_reauthentication_asks_the_provider_for_a_fresh_sign_in(linked, forging):
    started, _ = reauthenticate(linked, forging, auth_time=int(time.time()))
    assert "prompt=login" in started.json()["authorization_url"]
    assert "max_age=0" in started.json()["authorization_url"]  # makes the provider say when (auth_time)


def test_reauthentication_with_a_fresh_sign_in_at_the_provider_renews_the_session(linked, forging):
    _, response = reauthenticate(linked, forging, auth_time=int(time.time()))
    assert response["Location"] == "/account"
    assert RefreshSession.objects.get().authenticated_at > timezone.now() - datetime.timedelta(minutes=1)


@pytest.mark.parametrize("auth_time", [None, "old", "now-as-text"])
def test_reauthentication_with_a_provider_session_that_was_reused_is_refused(linked, forging, auth_time):
    """Repro: a provider that skips prompt=login (or an old session it reuses) answers with an ID token whose
    auth_time is an hour old, or without one: "Confirm it's you" passed without anyone signing in anywhere."""
    value = {None: None, "old": int(time.time()) - 3600, "now-as-text": str(int(time.time()))}[auth_time]
    _, response = reauthenticate(linked, forging, auth_time=value)
    assert error_of(response) == "federation_failed"
    assert RefreshSession.objects.get().authenticated_at < timezone.now() - datetime.timedelta(minutes=20)
