"""Domains a provider owns (enterprise single sign-on): ``sso_required`` for password, email code and passkey.

Each refusal comes only after the credential was right: a wrong password, a
wrong code or an unknown account answer exactly as for any other account.
"""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.federation import domains
from accounts.federation.models import Provider
from accounts.federation.providers import clean_domain
from accounts.models import RefreshSession, SecurityEvent, SecurityEventKind
from tests.conftest import PASSWORD, LoggedIn, login
from tests.passkeys import recording
from tests.passkeys.authenticator import SoftAuthenticator
from tests.passkeys.conftest import relying_party  # noqa: F401  (a fixture)
from tests.passkeys.test_api import LOGIN, LOGIN_OPTIONS, register
from tests.signin.test_email_code import ask, confirm, mailed_code, wrong

pytestmark = pytest.mark.django_db


def make_provider(slug="acme", *, domains_=("acme.test",), require=True, enabled=True):
    provider = Provider(
        slug=slug, name=slug.title(), kind="oidc", client_id=f"{slug}-client", issuer=f"https://{slug}.example",
        domains=list(domains_), require_for_domains=require, enabled=enabled,
    )
    provider.set_client_secret("s3cret")
    provider.save()
    return provider


@pytest.fixture
def employee(make_user):
    return make_user("bob", email="bob@acme.test")


def assert_sso_required(response, provider="acme"):
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["code"] == "sso_required" and body["provider"] == provider and body["detail"]
    assert "access" not in body and "mfa_token" not in body
    assert not response.cookies.get("refresh_token")


def test_the_password_login_of_a_domain_owned_account_answers_sso_required(employee):
    make_provider()
    response = login(APIClient(), "bob")
    assert_sso_required(response)
    assert not RefreshSession.objects.filter(user=employee).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, user=employee, reason="sso_required").exists()


def test_the_address_as_username_too(employee):
    make_provider()
    assert_sso_required(login(APIClient(), "bob@acme.test"))


def test_a_wrong_password_tells_nothing_about_the_domain(employee, make_user):
    make_provider()
    make_user("carol", email="carol@elsewhere.test")
    owned = login(APIClient(), "bob", password="wrong password")
    other = login(APIClient(), "carol", password="wrong password", REMOTE_ADDR="198.51.100.7")
    unknown = login(APIClient(), "nobody@acme.test", password="wrong password", REMOTE_ADDR="198.51.100.8")
    assert owned.status_code == other.status_code == unknown.status_code == 401
    assert owned.json() == other.json() == unknown.json()
    assert "acme" not in owned.content.decode()


def test_a_second_factor_is_not_asked_before_sso_required(employee):
    """The provider decides; no mfa_token (which would confirm the password) is handed out first."""
    from tests.mfa.conftest import enrol

    client = APIClient()
    enrol(LoggedIn(client, login(client, "bob")))
    make_provider()
    assert_sso_required(login(APIClient(), "bob"))


@pytest.mark.parametrize("change", [
    {"require_for_domains": False},
    {"enabled": False},
    {"domains": ["other.test"]},
])
def test_without_an_enabled_provider_requiring_the_domain_the_password_still_signs_in(employee, change):
    provider = make_provider()
    assert login(APIClient(), "bob").status_code == 403
    for name, value in change.items():
        setattr(provider, name, value)
    provider.save()  # drops the cached map of owned domains
    assert login(APIClient(), "bob").status_code == 200


def test_deleting_the_provider_lifts_the_rule(employee):
    provider = make_provider()
    assert login(APIClient(), "bob").status_code == 403
    provider.delete()
    assert login(APIClient(), "bob").status_code == 200


def test_other_domains_and_look_alike_domains_are_not_owned(make_user):
    make_provider()
    for number, address in enumerate(["dave@notacme.test", "erin@acme.test.evil", "fay@sub.acme.test"]):
        make_user(f"user{number}", email=address)
        assert login(APIClient(), f"user{number}", REMOTE_ADDR=f"198.51.100.{number + 1}").status_code == 200


def test_an_idn_domain_is_owned_in_its_ascii_form(make_user):
    make_provider(domains_=(clean_domain("Bücher.Test"),))
    make_user("gus", email="gus@bücher.test")
    assert_sso_required(login(APIClient(), "gus"))


def test_a_warm_map_costs_no_query(employee):
    make_provider()
    domains.owners()
    with CaptureQueriesContext(connection) as queries:
        assert domains.required_provider("bob@acme.test") == "acme"
    assert len(queries) == 0


# Email code

def test_the_email_code_sign_in_answers_sso_required_after_a_right_code(employee, smtp_server, settings):
    settings.SITE_URL = "https://gatehouse.test"
    make_provider()
    assert ask("bob@acme.test").status_code == 202
    code = mailed_code(smtp_server, "bob@acme.test")
    wrong_answer = confirm("bob@acme.test", wrong(code))
    assert wrong_answer.status_code == 401 and "sso" not in wrong_answer.content.decode()
    assert_sso_required(confirm("bob@acme.test", code))
    assert not RefreshSession.objects.filter(user=employee).exists()


# Passkey

def test_the_passkey_sign_in_answers_sso_required(employee, relying_party):  # noqa: F811
    authenticator = SoftAuthenticator(origin=recording.ORIGIN)
    client = APIClient()
    assert register(LoggedIn(client, login(client, "bob")), authenticator).status_code == 201

    make_provider()
    fresh = APIClient()
    options = fresh.post(LOGIN_OPTIONS, format="json")
    assert options.status_code == 200
    response = fresh.post(LOGIN, {"credential": authenticator.assertion(options.json())}, format="json")
    assert_sso_required(response)
    assert RefreshSession.objects.filter(user=employee, revoked_at__isnull=True).count() == 1  # only the first


# Another provider's identity

def test_a_provider_sign_in_is_let_in_only_through_the_provider_that_owns_the_domain(real_provider, client):
    from accounts.federation.models import Identity
    from tests.federation.conftest import Flow, error_of
    from tests.federation.peers import register

    owner = register(running=real_provider, client=real_provider.clients[0], slug="acme", name="Acme ID",
                     domains=["users.example.test"], require_for_domains=True)
    register(running=real_provider, client=real_provider.clients[1], slug="other", name="Other ID")

    signed_in = Flow(client, slug="acme").through(login="carol")  # carol@users.example.test, verified
    assert signed_in.status_code == 302 and signed_in["Location"] == "/", signed_in.get("Location")
    user = Identity.objects.get(provider=owner).user

    # The same person's identity at another provider, linked to the account: it may not sign in there.
    Identity.objects.create(user=user, provider=Provider.objects.get(slug="other"), subject="carol",
                            email=user.email, email_verified=True)
    other = Flow(APIClient(), slug="other").through(login="carol")
    assert error_of(other) == "sso_required"
    assert not other.cookies.get("refresh_token") or not other.cookies["refresh_token"].value
    assert RefreshSession.objects.filter(user=user).count() == 1


def test_the_provider_list_names_each_providers_domains(db):
    make_provider("acme", domains_=("acme.test", "acme-labs.test"))
    make_provider("plain", domains_=())
    make_provider("off", domains_=("off.test",), enabled=False)
    listed = {p["slug"]: p["domains"] for p in APIClient().get("/api/auth/providers/").json()}
    assert listed == {"acme": ["acme.test", "acme-labs.test"], "plain": []}


# A first sign-in at a domain another provider owns

def owner_and_other(real_provider):
    from tests.federation.peers import register

    owner = register(running=real_provider, client=real_provider.clients[0], slug="acme", name="Acme ID",
                     domains=["users.example.test"], require_for_domains=True)
    other = register(running=real_provider, client=real_provider.clients[1], slug="other", name="Other ID")
    return owner, other


def test_a_first_sign_in_through_another_provider_with_a_company_address_makes_no_account(real_provider, client):
    """Repro: carol@users.example.test signing up through `other` got an account before `sso_required`."""
    from accounts.federation.models import Identity
    from accounts.models import User
    from tests.federation.conftest import Flow, error_of

    owner_and_other(real_provider)
    refused = Flow(client, slug="other").through(login="carol")  # carol@users.example.test, verified
    assert error_of(refused) == "sso_required"
    assert not User.objects.filter(email__iexact="carol@users.example.test").exists()
    assert not Identity.objects.exists()
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.REGISTERED).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, reason="sso_required").exists()

    # The owning provider then makes the account, as usual.
    signed_in = Flow(APIClient(), slug="acme").through(login="carol")
    assert signed_in.status_code == 302 and signed_in["Location"] == "/", signed_in.get("Location")
    assert Identity.objects.get().provider.slug == "acme"


def test_another_trusted_provider_links_no_identity_to_a_company_account(real_provider, client, make_user):
    """Even a --trusted-email provider may not link itself to an account whose domain another provider owns."""
    from accounts.federation.models import Identity
    from tests.federation.conftest import Flow, error_of

    _, other = owner_and_other(real_provider)
    other.trusted_email = True
    other.save()
    carol = make_user("carol-here", email="carol@users.example.test")
    carol.email_verified_at = carol.date_joined
    carol.save()
    assert error_of(Flow(client, slug="other").through(login="carol")) == "sso_required"
    assert not Identity.objects.filter(user=carol).exists()


def test_the_owning_provider_links_an_existing_verified_account_at_its_domain(real_provider, client, make_user):
    """An account made before its domain was claimed: the owning provider vouches for its own domain's addresses
    (otherwise its owner could sign in neither with the password, refused, nor with the provider, account_exists)."""
    from accounts.federation.models import Identity
    from tests.federation.conftest import Flow

    owner_and_other(real_provider)
    carol = make_user("carol-here", email="carol@users.example.test")
    carol.email_verified_at = carol.date_joined
    carol.save()
    signed_in = Flow(client, slug="acme").through(login="carol")
    assert signed_in.status_code == 302 and signed_in["Location"] == "/", signed_in.get("Location")
    assert Identity.objects.get(user=carol).provider.slug == "acme"


def test_the_owning_provider_still_cannot_enter_an_account_whose_address_is_unverified(real_provider, client,
                                                                                      make_user, settings,
                                                                                      smtp_server):
    """Its owner proves the address with the reset link mailed now (which ends whatever else could sign in to
    an account someone else may have made with it), then signs in through the provider."""
    import re

    from accounts.federation.models import Identity
    from accounts.mail.models import OutboxMessage
    from tests.federation.conftest import SITE, Flow, error_of

    settings.SITE_URL = SITE
    owner_and_other(real_provider)
    carol = make_user("carol-here", email="carol@users.example.test")
    carol.email_verified_at = None
    carol.save()
    assert error_of(Flow(client, slug="acme").through(login="carol")) == "account_unconfirmed"
    assert not Identity.objects.exists()

    (mail,) = OutboxMessage.objects.filter(to="carol@users.example.test")
    token = re.search(r"reset-password#token=([A-Za-z0-9_\-.]+)", mail.body_text).group(1)
    reset = APIClient().post("/api/auth/password-reset/confirm/", {"token": token, "new_password": "carol's own 7h3q"},
                             format="json")
    assert reset.status_code == 204, reset.content
    signed_in = Flow(APIClient(), slug="acme").through(login="carol")
    assert signed_in.status_code == 302 and signed_in["Location"] == "/", signed_in.get("Location")
    assert Identity.objects.get(user=carol).provider.slug == "acme"


# "Confirm it's you" for an account whose domain a provider requires

def an_hour_ago(user):
    """The user's session authenticated an hour ago (its next access token's auth_time says so)."""
    session = RefreshSession.objects.get(user=user)
    RefreshSession.objects.filter(pk=session.pk).update(
        authenticated_at=session.authenticated_at - datetime.timedelta(seconds=3600)
    )
    return session


def signed_in_before_the_claim(employee, *, with_an_app=False):
    """bob@acme.test signed in before acme claimed the domain (with an authenticator app enrolled then, if asked),
    his authentication an hour old."""
    from tests.mfa.conftest import enrol

    client = APIClient()
    signed_in = LoggedIn(client, login(client, "bob"))
    if with_an_app:
        signed_in.enrolled = enrol(signed_in)
    make_provider()
    an_hour_ago(employee)
    assert signed_in.refresh().status_code == 200
    return signed_in


@pytest.fixture
def employee_signed_in(employee):
    return signed_in_before_the_claim(employee)


@pytest.fixture
def employee_with_an_app(employee):
    return signed_in_before_the_claim(employee, with_an_app=True)


def test_confirming_with_the_password_answers_sso_required(employee_signed_in, employee):
    """Repro: "Confirm it's you" took the password of an account its company's provider signs in."""
    response = employee_signed_in.post("/api/auth/reauthenticate/", {"password": "correct horse battery"})
    right = employee_signed_in.post("/api/auth/reauthenticate/", {"password": PASSWORD})
    for answer in (response, right):
        assert_sso_required(answer)
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.REAUTHENTICATED, user=employee).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, user=employee,
                                        reason="sso_required").count() == 2


def test_a_route_that_needs_a_recent_authentication_names_the_provider_not_the_password(employee_signed_in):
    response = employee_signed_in.post("/api/auth/password/", {"current_password": "x", "new_password": "y" * 20})
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["code"] == "reauthentication_required"
    assert body["methods"] == ["provider"] and body["provider"] == "acme"


def test_a_factor_route_names_the_provider_and_the_accounts_own_factors(employee_signed_in, employee):
    response = employee_signed_in.post("/api/auth/mfa/totp/")
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["code"] == "reauthentication_required"
    assert body["methods"] == ["provider"] and body["provider"] == "acme"


def test_a_code_of_the_accounts_authenticator_app_still_confirms(employee_with_an_app):
    """A second factor is what the provider sign-in's own second step takes: it confirms as it did."""
    factor_route = employee_with_an_app.post("/api/auth/mfa/recovery-codes/")
    assert factor_route.status_code == 403, factor_route.content
    assert factor_route.json()["methods"] == ["totp", "recovery_code"]  # a factor route: the factors only
    code = employee_with_an_app.enrolled.recovery_codes[0]
    confirmed = employee_with_an_app.post("/api/auth/reauthenticate/", {"code": code})
    assert confirmed.status_code == 200, confirmed.content


def test_the_accounts_plain_routes_name_its_factors_beside_the_provider(employee_with_an_app):
    body = employee_with_an_app.post(
        "/api/auth/password/", {"current_password": "x", "new_password": "y" * 20}
    ).json()
    assert body["code"] == "reauthentication_required"
    assert body["methods"] == ["provider", "totp", "recovery_code"] and body["provider"] == "acme"


def test_confirming_through_another_linked_provider_answers_sso_required(real_provider, client):
    from accounts.federation.models import Identity
    from tests.federation.conftest import Flow, error_of

    owner_and_other(real_provider)
    assert Flow(client, slug="acme").through(login="carol").status_code == 302
    user = Identity.objects.get().user
    Identity.objects.create(user=user, provider=Provider.objects.get(slug="other"), subject="carol",
                            email=user.email, email_verified=True)
    session = an_hour_ago(user)
    access = client.post("/api/auth/refresh/").json()["access"]
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {access}"}

    other = Flow(client, slug="other").through(login="carol", intent="reauth", next_path="/account", **bearer)
    assert error_of(other) == "sso_required" and other["Location"].startswith("/account?")
    session.refresh_from_db()
    assert session.authenticated_at < datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=30)

    own = Flow(client, slug="acme").through(login="carol", intent="reauth", next_path="/account", **bearer)
    assert own["Location"] == "/account"
    session.refresh_from_db()
    assert "fed" in session.amr.split()
    assert session.authenticated_at > datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)


# The address of a company account stays at its company's domains

@pytest.fixture
def employee_with_a_recent_password(employee, settings, smtp_server):
    """bob@acme.test, signed in with his password just before acme claimed the domain (a recent authentication)."""
    settings.SITE_URL = "https://gatehouse.test"
    client = APIClient()
    signed_in = LoggedIn(client, login(client, "bob"))
    make_provider(domains_=("acme.test", "acme-labs.test"))
    return signed_in


def test_a_company_account_cannot_move_its_address_off_the_companys_domains(employee_with_a_recent_password, employee):
    """Repro: bob moved his address to a private one, and so out of his company's sign-in (and its offboarding)."""
    from accounts.mail.models import OutboxMessage

    response = employee_with_a_recent_password.post(
        "/api/auth/email/change/", {"new_email": "bob@private.test", "password": PASSWORD}
    )
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["code"] == "address_managed" and body["provider"] == "acme" and body["detail"]
    assert not OutboxMessage.objects.exists()


def test_a_company_account_may_move_between_its_companys_domains(employee_with_a_recent_password):
    response = employee_with_a_recent_password.post(
        "/api/auth/email/change/", {"new_email": "bob@acme-labs.test", "password": PASSWORD}
    )
    assert response.status_code == 202, response.content


def test_a_change_link_issued_before_the_domain_was_claimed_does_not_move_the_address(employee):
    from accounts.recovery import address_tokens

    token = address_tokens.make_change_token(employee, "bob@private.test")
    make_provider()
    response = APIClient().post("/api/auth/email/verify/", {"token": token}, format="json")
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "address_managed"
    employee.refresh_from_db()
    assert employee.email == "bob@acme.test"


# Sign-up at a company domain

def test_a_password_sign_up_with_a_company_address_is_sent_to_the_provider(db, settings):
    """Repro: anyone could sign up bob@acme.test with a password first; the real bob's first sign-in through
    acme then met account_exists (an unverified account squatting his address)."""
    from accounts.models import User

    settings.GATEHOUSE = {**settings.GATEHOUSE, "SIGNUP_ENABLED": True}
    make_provider()
    response = APIClient().post(
        "/api/auth/register/", {"username": "squatter", "email": "Bob@ACME.test", "password": PASSWORD}, format="json"
    )
    assert_sso_required(response)
    assert not User.objects.filter(username="squatter").exists()


def test_a_password_sign_up_elsewhere_is_as_before(db, settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "SIGNUP_ENABLED": True}
    make_provider()
    response = APIClient().post(
        "/api/auth/register/", {"username": "erin", "email": "erin@elsewhere.test", "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 201, response.content


def test_a_domain_claimed_between_a_provider_sign_in_and_its_second_step_is_enforced_at_the_second_step(
    real_provider, user, client
):
    """Repro: the second step of another provider's sign-in passed the rule with no provider named."""
    from accounts.federation.models import Identity
    from tests.federation.conftest import Flow
    from tests.federation.peers import register
    from tests.mfa.conftest import enrol

    other = register(running=real_provider, client=real_provider.clients[1], slug="other", name="Other ID")
    user.email = "alice@users.example.test"
    user.save()
    signed_in = LoggedIn(APIClient(), login(APIClient(), "alice"))
    enrolled = enrol(signed_in)
    Identity.objects.create(user=user, provider=other, subject="carol", email=user.email, email_verified=True)

    response = Flow(client, slug="other").through(login="carol")
    assert response["Location"].startswith("/login?second_step=1"), response["Location"]
    pending = client.post("/api/auth/federation/second-step/")
    assert pending.status_code == 202, pending.content

    register(running=real_provider, client=real_provider.clients[0], slug="acme", name="Acme ID",
             domains=["users.example.test"], require_for_domains=True)
    done = client.post("/api/auth/login/mfa/", {"mfa_token": pending.json()["mfa_token"],
                                                "code": enrolled.code(offset_steps=1)}, format="json")
    assert_sso_required(done)
    assert RefreshSession.objects.filter(user=user).count() == 1  # the password login's only


# The admin

def test_the_admin_password_login_of_a_company_staff_account_is_refused(make_user):
    """Repro: a staff account at a domain its provider requires still logged in to /admin with its password
    (an offboarded administrator kept the admin)."""
    from django.contrib.auth import SESSION_KEY
    from django.test import Client

    make_user("root", email="root@acme.test", is_staff=True, is_superuser=True)
    make_user("breakglass", email="ops@elsewhere.test", is_staff=True, is_superuser=True)
    make_provider()
    browser = Client()
    ua = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}
    refused = browser.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"}, **ua)
    assert refused.status_code == 200 and SESSION_KEY not in browser.session
    assert "signs you in with its own provider" in refused.content.decode()
    wrong = Client().post("/admin/login/", {"username": "root", "password": "wrong", "next": "/admin/"}, **ua)
    assert "own provider" not in wrong.content.decode()  # only after the right password
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, user__username="root",
                                        reason="sso_required").exists()

    other = Client()
    allowed = other.post("/admin/login/", {"username": "breakglass", "password": PASSWORD, "next": "/admin/"}, **ua)
    assert allowed.status_code == 302 and SESSION_KEY in other.session
