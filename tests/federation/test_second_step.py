"""A provider sign-in of an account with a second factor meets its second step; "Confirm it's you" with a provider."""
import datetime

import pytest

from accounts.federation.models import Identity
from accounts.models import RefreshSession
from tests.federation.conftest import Flow, error_of
from tests.mfa.conftest import enrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(acme, logged_in, user):
    """alice, with the provider's "mallory" linked to her account."""
    Flow(logged_in.client).through(login="mallory", intent="link", **logged_in.bearer)
    assert Identity.objects.get().user == user
    return logged_in


def test_the_second_step_follows_a_provider_sign_in_and_no_token_travels_in_a_url(linked, client):
    enrolled = enrol(linked)

    response = Flow(client).through(login="mallory", next_path="/sessions")

    assert response["Location"] == "/login?second_step=1&next=%2Fsessions"
    assert "mfa" not in response["Location"] and "token" not in response["Location"]
    assert response.cookies["gatehouse_federation_step"]["httponly"]
    assert "refresh_token" not in response.cookies or not response.cookies["refresh_token"].value
    before = RefreshSession.objects.count()

    pending = client.post("/api/auth/federation/second-step/")
    assert pending.status_code == 202, pending.content
    assert pending.json()["mfa_required"] and "totp" in pending.json()["methods"]
    assert RefreshSession.objects.count() == before
    # Once: the cookie is cleared.
    assert client.post("/api/auth/federation/second-step/").status_code == 401

    done = client.post("/api/auth/login/mfa/", {"mfa_token": pending.json()["mfa_token"], "code": enrolled.code(offset_steps=1)},
                       format="json")
    assert done.status_code == 200, done.content
    session = RefreshSession.objects.order_by("-created_at").first()
    assert session.amr.split()[:2] == ["fed", "otp"]


def test_the_second_step_cookie_is_refused_from_another_site(linked, client):
    enrol(linked)
    Flow(client).through(login="mallory")
    response = client.post("/api/auth/federation/second-step/", HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403


def test_reauthentication_with_a_linked_provider_renews_the_session(linked, settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "REAUTH_MAX_AGE": 300}
    session = RefreshSession.objects.get(user__username="alice")
    old = session.authenticated_at - datetime.timedelta(seconds=200)  # an authentication some minutes old
    RefreshSession.objects.filter(pk=session.pk).update(authenticated_at=old)

    response = Flow(linked.client).through(login="mallory", intent="reauth", next_path="/account", **linked.bearer)

    assert response["Location"] == "/account"
    assert response.cookies["gatehouse_federated"].value == "1"
    session.refresh_from_db()
    assert session.authenticated_at > old and "fed" in session.amr.split()
    assert linked.refresh().status_code == 200


def test_reauthentication_with_an_identity_that_is_not_linked_is_refused(linked, client):
    Flow(client).through(login="carol")  # another account's identity
    response = Flow(linked.client).through(login="carol", intent="reauth", **linked.bearer)
    assert error_of(response) == "federation_failed" and response["Location"].startswith("/account?")


def test_the_session_the_second_step_opens_is_the_providers_to_end(linked, client, acme):
    """Recorded as the provider's (its subject, and sid when sent), so the provider's back-channel logout finds it."""
    from accounts.federation import backchannel
    from accounts.federation.models import FederatedSignIn, PendingFederatedSignIn

    enrolled = enrol(linked)
    Flow(client).through(login="mallory")
    assert PendingFederatedSignIn.objects.count() == 1
    pending = client.post("/api/auth/federation/second-step/")
    done = client.post("/api/auth/login/mfa/", {"mfa_token": pending.json()["mfa_token"],
                                                "code": enrolled.code(offset_steps=1)}, format="json")
    assert done.status_code == 200, done.content
    session = RefreshSession.objects.order_by("-created_at").first()
    recorded = FederatedSignIn.objects.get(session=session)
    # This test client asks for no back-channel logout, so the provider puts no sid in its ID token.
    assert recorded.provider == acme and recorded.subject == "mallory" and recorded.provider_sid == ""
    assert not PendingFederatedSignIn.objects.exists()
    assert list(backchannel.sessions_named(provider=acme, subject="mallory")) == [session]
