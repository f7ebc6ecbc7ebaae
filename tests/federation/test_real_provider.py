"""Sign-in through a real OpenID provider (oidc-provider on loopback), from start to session, over HTTP."""
import pytest
from django.contrib.auth import get_user_model

from accounts.federation.models import FederatedSignIn, Identity
from accounts.models import RefreshSession
from tests.federation.conftest import error_of

pytestmark = pytest.mark.django_db


def test_a_first_sign_in_makes_an_account_and_signs_in(acme, flow, client):
    response = flow.through(login="carol")

    assert response.status_code == 302, response.content
    assert response["Location"] == "/"
    assert response.cookies["refresh_token"].value
    assert response.cookies["gatehouse_federated"].value == "1"
    identity = Identity.objects.get(provider=acme)
    assert identity.subject == "carol"
    user = identity.user
    assert user.email == "carol@users.example.test" and user.email_verified_at is not None
    assert not user.has_usable_password()
    session = RefreshSession.objects.get(user=user)
    assert "fed" in session.amr.split()
    assert FederatedSignIn.objects.get(session=session).subject == "carol"
    # The app's next step: the refresh cookie gives it an access token.
    refreshed = client.post("/api/auth/refresh/")
    assert refreshed.status_code == 200, refreshed.content


def test_the_next_sign_in_enters_the_same_account(acme, flow, client):
    flow.through(login="carol")
    again = flow.through(login="carol", next_path="/sessions")
    assert again["Location"] == "/sessions"
    assert get_user_model().objects.count() == 1
    assert RefreshSession.objects.count() == 2


def test_the_state_is_used_once(acme, flow):
    flow.start()
    params = flow.at_provider()
    assert flow.callback(params).status_code == 302
    assert error_of(flow.callback(params)) == "federation_failed"
