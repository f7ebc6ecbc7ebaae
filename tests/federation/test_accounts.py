"""Which account a provider's identity enters, against the real provider: the no-takeover rule and its friends."""
import re

import pytest
from rest_framework.test import APIClient
from django.contrib.auth import get_user_model

from accounts.federation.models import Identity, Provider
from accounts.mail.models import OutboxMessage
from accounts.models import RefreshSession, SecurityEvent, SecurityEventKind
from accounts.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.federation.conftest import SITE, Flow, error_of

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_an_unverified_provider_address_of_a_victim_never_enters_the_victims_account(acme, flow, user):
    """mallory's provider account claims alice@example.com, unverified: account_exists, no session, no link."""
    acme.trusted_email = True  # even when the provider is trusted: it did not verify this address
    acme.save()
    user.email_verified_at = user.date_joined
    user.save()

    assert error_of(flow.through(login="mallory")) == "account_exists"
    assert not Identity.objects.exists()
    assert not RefreshSession.objects.filter(user=user).exists()
    # Recorded, though the refused sign-in's transaction was rolled back (it used to vanish with it).
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, reason="account_exists").count() == 1


def test_a_verified_address_of_an_existing_account_still_needs_a_trusted_provider(acme, flow, user):
    user.email_verified_at = user.date_joined
    user.save()
    assert error_of(flow.through(login="alice-at-acme")) == "account_exists"
    assert not Identity.objects.exists()


def test_an_unverified_local_address_is_not_entered_even_by_a_trusted_provider(acme, flow, user, settings,
                                                                               smtp_server):
    """Not linked; the address is mailed a password-reset link, whose use confirms it and ends what else could
    sign in: "sign in with your password first" would send a company account round in a loop."""
    settings.SITE_URL = SITE
    acme.trusted_email = True
    acme.save()
    assert user.email_verified_at is None
    assert error_of(flow.through(login="alice-at-acme")) == "account_unconfirmed"
    assert not Identity.objects.exists()
    (mail,) = OutboxMessage.objects.filter(to=user.email)
    assert "reset-password#token=" in mail.body_text
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, reason="account_unconfirmed").exists()


def test_an_address_registered_by_someone_else_is_taken_back_not_shared(acme, client, user, settings, smtp_server):
    """Repro (pre-registration takeover): someone signed up alice@example.com with a password of theirs and left it
    unconfirmed; alice, signing in through a trusted provider, was mailed a verification link, and using it linked
    her identity into an account whose password the other person still knew. Now the link mailed is a password
    reset: using it ends that password and every session, and only then does the provider's sign-in link."""
    import re

    from tests.conftest import PASSWORD, LoggedIn, login
    from tests.federation.conftest import Flow

    settings.SITE_URL = SITE
    acme.trusted_email = True
    acme.save()
    squatter = LoggedIn(APIClient(), login(APIClient(), "alice"))  # the account made with alice's address
    assert error_of(Flow(client).through(login="alice-at-acme")) == "account_unconfirmed"

    (mail,) = OutboxMessage.objects.filter(to=user.email)
    token = re.search(r"reset-password#token=([A-Za-z0-9_\-.]+)", mail.body_text).group(1)
    reset = APIClient().post("/api/auth/password-reset/confirm/", {"token": token, "new_password": "alice's own 9f2k"},
                             format="json")
    assert reset.status_code == 204, reset.content

    signed_in = Flow(APIClient()).through(login="alice-at-acme")
    assert signed_in["Location"] == "/" and Identity.objects.get().user == user
    assert login(APIClient(), "alice", password=PASSWORD, REMOTE_ADDR="198.51.100.9").status_code == 401
    assert squatter.refresh().status_code == 401


def test_the_mail_of_account_unconfirmed_is_bounded_per_address(acme, client, user, settings, smtp_server):
    from tests.federation.conftest import Flow

    settings.SITE_URL = SITE
    acme.trusted_email = True
    acme.save()
    for _ in range(8):
        assert error_of(Flow(client).through(login="alice-at-acme")) == "account_unconfirmed"
    assert 1 <= OutboxMessage.objects.filter(to=user.email).count() < 8


def test_a_trusted_provider_with_both_addresses_verified_links_and_signs_in(acme, flow, user):
    acme.trusted_email = True
    acme.save()
    user.email_verified_at = user.date_joined
    user.save()

    response = flow.through(login="alice-at-acme")

    assert response.status_code == 302 and response["Location"] == "/"
    assert Identity.objects.get().user == user
    assert RefreshSession.objects.filter(user=user).exists()
    assert SecurityEvent.objects.filter(user=user, kind=SecurityEventKind.IDENTITY_LINKED).exists()
    assert OutboxMessage.objects.filter(to=user.email, subject__contains="Acme ID").exists()


def test_sign_up_closed_by_the_provider_or_the_site(acme, flow, settings):
    acme.allow_signup = False
    acme.save()
    assert error_of(flow.through(login="erin")) == "signup_closed"
    acme.allow_signup = True
    acme.save()
    settings.GATEHOUSE = {**settings.GATEHOUSE, "SIGNUP_ENABLED": False}
    assert error_of(flow.through(login="erin")) == "signup_closed"
    assert not User.objects.exists()


def test_an_unverified_address_with_mandatory_verification_makes_the_account_and_mails_a_link(
    acme, client, settings, smtp_server
):
    settings.SITE_URL = SITE
    settings.GATEHOUSE = {**settings.GATEHOUSE, "SIGNUP_EMAIL_VERIFICATION": "mandatory"}

    response = Flow(client).through(login="dave")

    assert error_of(response) == "email_unverified"
    dave = User.objects.get(email="dave@example.com")
    assert dave.email_verified_at is None and not RefreshSession.objects.filter(user=dave).exists()
    assert OutboxMessage.objects.filter(to="dave@example.com").exists()
    assert Identity.objects.get().user == dave


def test_a_new_account_gets_a_free_username_from_the_claims(acme, make_user, client):
    make_user("carol")
    Flow(client).through(login="carol")
    made = Identity.objects.get().user
    assert made.username == "carol2" and made.email == "carol@users.example.test"


def test_a_disabled_account_does_not_sign_in(acme, flow):
    flow.through(login="carol")
    User.objects.update(is_active=False)
    assert error_of(flow.through(login="carol")) == "federation_failed"


class TestLinking:
    def test_link_needs_a_recent_authentication(self, acme, logged_in, settings):
        settings.GATEHOUSE = {**settings.GATEHOUSE, "REAUTH_MAX_AGE": -1}  # every authentication is old now
        response = logged_in.post("/api/auth/federation/acme/start/", {"intent": "link"})
        assert response.status_code == 403 and response.json()["code"] == "reauthentication_required"

    def test_link_needs_a_session(self, acme, client):
        response = client.post("/api/auth/federation/acme/start/", {"intent": "link"}, format="json")
        assert response.status_code == 401

    def test_link_then_sign_in_with_it_then_unlink(self, acme, logged_in, user, client):
        endpoint = WebhookEndpoint.objects.create(url="https://hooks.test/in", secret_encrypted="x",
                                                  events="identity.linked identity.unlinked")
        flow = Flow(logged_in.client)
        response = flow.through(login="mallory", intent="link", **logged_in.bearer)
        assert response["Location"] == "/account"
        identity = Identity.objects.get()
        assert identity.user == user and identity.subject == "mallory"
        assert OutboxMessage.objects.filter(to=user.email, subject__contains="can now sign in").exists()

        # The linked identity now signs in to alice's account (mallory is a name at the provider only).
        signed_in = Flow(client).through(login="mallory")
        assert signed_in["Location"] == "/" and RefreshSession.objects.filter(user=user).count() == 2

        listed = logged_in.get("/api/auth/identities/")
        assert listed.status_code == 200
        assert listed.json() == [{
            "id": identity.pk, "provider": "acme", "name": "Acme ID", "kind": "oidc", "email": "alice@example.com",
            "created_at": listed.json()[0]["created_at"], "last_used_at": listed.json()[0]["last_used_at"],
        }]
        assert logged_in.delete(f"/api/auth/identities/{identity.pk}/").status_code == 204
        assert not Identity.objects.exists()
        assert SecurityEvent.objects.filter(user=user, kind=SecurityEventKind.IDENTITY_UNLINKED).exists()
        assert OutboxMessage.objects.filter(to=user.email, subject__contains="no longer signs in").exists()
        assert set(WebhookDelivery.objects.filter(endpoint=endpoint).values_list("event_type", flat=True)) == {
            "identity.linked", "identity.unlinked",
        }

    def test_unlinking_ends_the_sessions_that_identity_opened_and_no_other(self, acme, logged_in, user, client):
        """Repro: an identity unlinked (say, its provider account was taken over) kept its sessions alive."""
        Flow(logged_in.client).through(login="mallory", intent="link", **logged_in.bearer)
        assert Flow(client).through(login="mallory")["Location"] == "/"
        through_provider = RefreshSession.objects.filter(user=user).order_by("-created_at").first()
        identity = Identity.objects.get()

        assert logged_in.delete(f"/api/auth/identities/{identity.pk}/").status_code == 204

        through_provider.refresh_from_db()
        assert through_provider.revoked_at is not None and through_provider.revoked_reason == "identity_unlinked"
        assert client.post("/api/auth/refresh/").status_code == 401
        assert logged_in.refresh().status_code == 200  # the session that unlinked it goes on

    def test_an_identity_of_another_account_cannot_be_linked(self, acme, logged_in, client):
        Flow(client).through(login="carol")  # carol's own account
        response = Flow(logged_in.client).through(login="carol", intent="link", **logged_in.bearer)
        assert response["Location"] == "/account?error=identity_in_use"
        assert Identity.objects.get().user.username == "carol"

    def test_someone_elses_identity_is_not_found(self, acme, logged_in, client):
        Flow(client).through(login="carol")
        assert logged_in.delete(f"/api/auth/identities/{Identity.objects.get().pk}/").status_code == 404
        assert Identity.objects.count() == 1


def test_the_last_way_to_sign_in_cannot_be_unlinked(acme, flow, client):
    flow.through(login="carol")
    refreshed = client.post("/api/auth/refresh/")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {refreshed.json()['access']}"}
    identity = Identity.objects.get()

    response = client.delete(f"/api/auth/identities/{identity.pk}/", **bearer)

    assert response.status_code == 409 and response.json()["code"] == "last_sign_in_method"
    assert Identity.objects.exists()


def test_a_removed_provider_takes_its_identities_but_not_the_accounts(acme, flow):
    flow.through(login="carol")
    Provider.objects.all().delete()
    assert not Identity.objects.exists() and User.objects.filter(username="carol").exists()


def test_an_account_made_through_a_provider_sets_a_password_through_the_reset_mail(
    acme, client, settings, smtp_server
):
    settings.SITE_URL = SITE
    response = Flow(client).through(login="carol")
    assert response["Location"] == "/"
    carol = User.objects.get(username="carol")
    assert not carol.has_usable_password()

    assert client.post("/api/auth/password-reset/", {"email": carol.email}, format="json").status_code == 202
    mail = OutboxMessage.objects.filter(to=carol.email).order_by("-created_at").first()
    token = re.search(r"/reset-password#token=([A-Za-z0-9_\-.:]+)", mail.body_text).group(1)
    confirmed = client.post("/api/auth/password-reset/confirm/", {"token": token, "new_password": "a fresh passphrase 9"},
                            format="json")
    assert confirmed.status_code == 204, confirmed.content
    carol.refresh_from_db()
    assert carol.has_usable_password()
    logged = client.post("/api/auth/login/", {"username": "carol", "password": "a fresh passphrase 9"}, format="json")
    assert logged.status_code == 200
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {logged.json()['access']}"}
    # With a password, the identity is no longer the last way in.
    assert client.delete(f"/api/auth/identities/{Identity.objects.get().pk}/", **bearer).status_code == 204
