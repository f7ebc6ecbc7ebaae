"""Company domains on the login page, in Chromium, against the real provider (oidc-provider on loopback).

A provider that owns a domain makes the login page ask for the address
first: a company address goes straight to its provider, any other address
gets the password field. A username of a domain-owned account, with its
right password, is answered ``sso_required`` and the page sends the person on
to the provider.
"""
import pytest
from playwright.sync_api import expect

from accounts.federation.models import Identity
from tests.browser.conftest import screenshots
from tests.conftest import PASSWORD
from tests.federation.peers import new_client, register, start_provider


@pytest.fixture(scope="module")
def company_peer(live_server):
    client = new_client(redirect_uris=[f"{live_server.url}/api/auth/federation/acme/callback/"])
    running = start_provider(clients=[client])
    yield running
    running.stop()


@pytest.fixture
def acme(db, company_peer):
    return register(running=company_peer, client=company_peer.clients[0], slug="acme", name="Acme ID",
                    domains=["acme.test"], require_for_domains=True)


def test_a_company_address_goes_straight_to_its_provider(page, acme, artifacts):
    page.goto("/login")
    form = page.get_by_test_id("login-form")
    expect(form).to_have_attribute("data-step", "address")
    expect(page.locator('input[name="password"]')).to_be_hidden()
    expect(form.locator('button[type="submit"]')).to_have_text("Continue")
    screenshots(page, artifacts, "federation-address-first")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.locator('input[name="username"]').fill("Dora@ACME.test")
    form.locator('button[type="submit"]').click()
    # The provider's own login screen, no password asked here.
    page.locator('input[name="login"]').fill("dora@acme.test")
    page.locator('input[name="password"]').fill("any password")
    page.locator('button[type="submit"]').click()

    expect(page.get_by_test_id("current-user")).to_be_visible()
    assert Identity.objects.get(provider=acme).email == "dora@acme.test"


def test_another_address_gets_the_password_field(page, acme, user):
    page.goto("/login")
    form = page.get_by_test_id("login-form")
    expect(form).to_have_attribute("data-step", "address")
    page.locator('input[name="username"]').fill("alice@example.com")
    form.locator('button[type="submit"]').click()
    expect(form).to_have_attribute("data-step", "password")
    password = page.locator('input[name="password"]')
    expect(password).to_be_visible()
    expect(password).to_be_focused()
    password.fill(PASSWORD)
    form.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("current-user")).to_have_text("alice")


def test_a_username_of_a_domain_owned_account_is_sent_on_to_the_provider(page, acme, make_user):
    make_user("bob", email="bob@acme.test")
    page.goto("/login")
    form = page.get_by_test_id("login-form")
    expect(form).to_have_attribute("data-step", "address")
    page.locator('input[name="username"]').fill("bob")
    form.locator('button[type="submit"]').click()
    page.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').click()
    # Refused with sso_required after the right password: on to the provider's login screen.
    expect(page.locator('input[name="login"]')).to_be_visible()
    assert page.url.startswith(acme.issuer)


def test_without_domains_the_login_page_is_as_before(page, db, company_peer):
    register(running=company_peer, client=company_peer.clients[0], slug="acme", name="Acme ID")
    page.goto("/login")
    expect(page.locator('[data-testid="provider-button"][data-provider="acme"]')).to_be_visible()
    expect(page.locator('input[name="password"]')).to_be_visible()
    expect(page.get_by_test_id("login-form")).not_to_have_attribute("data-step", "address")


def test_confirm_its_you_offers_the_company_provider_and_no_password(page, acme, settings, artifacts):
    """Repro: "Confirm it's you" asked a company account for its password, which the server now refuses."""
    import base64
    import json
    import time

    from tests.browser.conftest import wait_for_a_fresh_provider_authentication, wait_until
    from tests.browser.test_personal_tokens import create_through_ui

    settings.GATEHOUSE = {**settings.GATEHOUSE, "REAUTH_MAX_AGE": 3}
    page.goto("/login")
    page.locator('input[name="username"]').fill("dora@acme.test")
    page.get_by_test_id("login-form").locator('button[type="submit"]').click()
    page.locator('input[name="login"]').fill("dora@acme.test")
    page.locator('input[name="password"]').fill("any password")
    page.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("current-user")).to_be_visible()
    signed_in_at = time.time()
    page.get_by_test_id("nav-account").click()
    expect(page.get_by_test_id("token-form")).to_be_visible()
    wait_until(lambda: time.time() - signed_in_at > 4, timeout=10, what="the sign-in to be older than REAUTH_MAX_AGE")

    create_through_ui(page, "nightly backup")
    dialog = page.get_by_test_id("reauth-form")
    button = dialog.locator('[data-testid="reauth-provider"][data-provider="acme"]')
    expect(button).to_have_text("Continue with Acme ID")
    expect(dialog).to_contain_text("Your organisation signs you in with its own provider")
    expect(dialog.locator('input[name="password"]')).to_be_hidden()
    expect(dialog.locator('button[type="submit"]')).to_be_hidden()
    screenshots(page, artifacts, "federation-reauth-company")
    page.set_viewport_size({"width": 1280, "height": 900})

    asked_at = int(time.time())
    button.click()
    page.locator('input[name="login"]').fill("dora@acme.test")  # prompt=login: the provider asks again
    page.locator('input[name="password"]').fill("any password")
    page.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("token-form")).to_be_visible()

    wait_for_a_fresh_provider_authentication(page, since=asked_at)


def test_signing_up_with_a_company_address_points_to_its_provider(page, acme, artifacts):
    """Repro: a password sign-up took a company address, squatting it before its owner's first provider sign-in."""
    page.goto("/signup")
    form = page.get_by_test_id("signup-form")
    form.locator('input[name="username"]').fill("dora")
    form.locator('input[name="email"]').fill("dora@acme.test")
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('input[name="password_confirm"]').fill(PASSWORD)
    form.locator('button[type="submit"]').click()
    expect(form.get_by_role("alert")).to_have_text("Your organisation signs you in with Acme ID.")
    expect(page.locator('[data-testid="provider-button"][data-provider="acme"]')).to_be_visible()
    screenshots(page, artifacts, "federation-signup-company")
    assert not Identity.objects.exists()


def test_confirm_its_you_says_to_sign_in_through_the_company_provider_when_it_is_not_linked_yet(
    page, company_peer, make_user, settings, artifacts
):
    """A company account signed in by password before the domain was claimed has no identity there to confirm
    with: no button the server would refuse, but what to do."""
    import time

    from tests.browser.conftest import log_in_through_ui, wait_until
    from tests.browser.test_personal_tokens import create_through_ui

    make_user("erin", email="erin@acme.test")
    settings.GATEHOUSE = {**settings.GATEHOUSE, "REAUTH_MAX_AGE": 3}
    log_in_through_ui(page, username="erin", path="/account")
    signed_in_at = time.time()
    register(running=company_peer, client=company_peer.clients[0], slug="acme", name="Acme ID",
             domains=["acme.test"], require_for_domains=True)
    expect(page.get_by_test_id("token-form")).to_be_visible()
    wait_until(lambda: time.time() - signed_in_at > 4, timeout=10, what="the sign-in to be older than REAUTH_MAX_AGE")

    create_through_ui(page, "nightly backup")
    dialog = page.get_by_test_id("reauth-form")
    expect(dialog).to_contain_text("sign out, then sign in again through your organisation’s provider")
    expect(dialog.get_by_test_id("reauth-provider")).to_have_count(0)
    expect(dialog.locator('input[name="password"]')).to_be_hidden()
    screenshots(page, artifacts, "federation-reauth-company-not-linked")
