"""Sign-in with another identity provider in Chromium, against the real provider (oidc-provider on loopback).

Sign up, sign out, sign in again, link to an existing account and unlink,
the second step after a provider sign-in, and a refusal in words.
"""
import time

import pyotp
import pytest
from playwright.sync_api import expect

from accounts.federation.models import Identity, Provider
from accounts.limits.net import ClientInfo
from accounts.mfa import totp
from tests.browser.conftest import log_in_through_ui, screenshots
from tests.federation.peers import new_client, register, start_provider


@pytest.fixture(scope="module")
def provider_peer(live_server):
    client = new_client(redirect_uris=[f"{live_server.url}/api/auth/federation/acme/callback/"])
    running = start_provider(
        clients=[client],
        accounts={
            "alice-at-acme": {"email": "alice.acme@example.com", "email_verified": True},
            "mallory": {"email": "alice@example.com", "email_verified": False},
        },
    )
    yield running
    running.stop()


@pytest.fixture
def acme(db, provider_peer):
    return register(running=provider_peer, client=provider_peer.clients[0], slug="acme", name="Acme ID")


def sign_in_at_provider(page, login):
    """The provider's development login screen: any name, any password."""
    page.locator('input[name="login"]').fill(login)
    page.locator('input[name="password"]').fill("any password")
    page.locator('button[type="submit"]').click()


def test_sign_up_sign_out_and_sign_in_again_with_a_provider(page, acme, artifacts):
    page.goto("/signup")
    button = page.locator('[data-testid="provider-button"][data-provider="acme"]')
    expect(button).to_have_text("Continue with Acme ID")
    screenshots(page, artifacts, "federation-signup")
    page.set_viewport_size({"width": 1280, "height": 900})
    button.click()
    sign_in_at_provider(page, "carol")

    expect(page.get_by_test_id("current-user")).to_have_text("carol")
    assert "token" not in page.url and "code=" not in page.url
    assert Identity.objects.get().user.username == "carol"

    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-form")).to_be_visible()
    login_button = page.locator('[data-testid="provider-button"][data-provider="acme"]')
    expect(login_button).to_be_visible()
    screenshots(page, artifacts, "federation-login")
    page.set_viewport_size({"width": 1280, "height": 900})
    login_button.click()
    # The provider remembers carol: straight back, signed in to the same account.
    expect(page.get_by_test_id("current-user")).to_have_text("carol")
    assert Identity.objects.count() == 1


def test_link_to_an_existing_account_then_unlink(page, acme, user, artifacts):
    log_in_through_ui(page, path="/account")
    section = page.get_by_test_id("identities")
    expect(section.get_by_test_id("no-identities")).to_be_visible()
    section.locator('[data-testid="link-provider"][data-provider="acme"]').click()
    sign_in_at_provider(page, "alice-at-acme")

    row = page.get_by_test_id("identity-row")
    expect(row).to_contain_text("Acme ID")
    expect(row).to_contain_text("alice.acme@example.com")
    assert Identity.objects.get().user == user
    row.scroll_into_view_if_needed()
    screenshots(page, artifacts, "federation-account")
    for width in (1280, 390):  # the section itself, readable
        page.set_viewport_size({"width": width, "height": 900})
        section.screenshot(path=str(artifacts / f"federation-identities-{width}.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    row.get_by_test_id("unlink-identity").click()
    page.get_by_test_id("confirm-action").click()
    expect(page.get_by_test_id("identity-row")).to_have_count(0)
    expect(section.get_by_test_id("no-identities")).to_be_visible()
    assert not Identity.objects.exists()


def test_the_second_step_follows_a_provider_sign_in(page, acme, user, artifacts):
    log_in_through_ui(page, path="/account")
    page.get_by_test_id("identities").locator('[data-testid="link-provider"]').click()
    sign_in_at_provider(page, "alice-at-acme")
    expect(page.get_by_test_id("identity-row")).to_be_visible()
    secret = totp.begin_enrolment(user=user).secret
    step = pyotp.TOTP(secret)
    totp.confirm_enrolment(user=user, code=step.at(time.time() - 30), client=ClientInfo("127.0.0.1", "setup"))
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-form")).to_be_visible()

    page.locator('[data-testid="provider-button"][data-provider="acme"]').click()

    form = page.get_by_test_id("mfa-form")
    expect(form).to_be_visible()
    expect(page.locator("h1")).to_have_text("Two-step sign-in")
    expect(page.get_by_text("You signed in with your provider.")).to_be_visible()
    assert "mfa" not in page.url and "token" not in page.url
    screenshots(page, artifacts, "federation-second-step")
    page.set_viewport_size({"width": 1280, "height": 900})
    form.locator('input[name="code"]').fill(step.now())
    form.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("current-user")).to_have_text("alice")


def test_an_address_of_another_account_is_refused_in_words(page, acme, user, artifacts):
    page.goto("/login")
    page.locator('[data-testid="provider-button"][data-provider="acme"]').click()
    sign_in_at_provider(page, "mallory")  # claims alice@example.com, unverified

    expect(page.get_by_test_id("login-form")).to_be_visible()
    expect(page.get_by_role("alert").first).to_contain_text("An account with this email address already exists")
    screenshots(page, artifacts, "federation-account-exists")
    assert not Identity.objects.exists()


def test_the_presets_show_their_own_icons(page, db, artifacts):
    from accounts.federation.models import Provider

    for slug, kind, name in (("google", "google", "Google"), ("microsoft", "microsoft", "Microsoft"),
                             ("gitlab", "gitlab", "GitLab"), ("github", "github", "GitHub")):
        Provider.objects.create(slug=slug, kind=kind, name=name, client_id="x", client_secret_sealed="")
    page.goto("/login")
    buttons = page.get_by_test_id("provider-button")
    expect(buttons).to_have_count(4)
    for index in range(4):
        icon = buttons.nth(index).locator("img")
        expect(icon).to_have_attribute("alt", "")
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=icon.element_handle())
    screenshots(page, artifacts, "federation-presets")


def test_confirm_its_you_with_a_linked_provider(page, acme, user, settings, artifacts):
    from tests.browser.conftest import wait_for_a_fresh_provider_authentication, wait_until

    Identity.objects.create(user=user, provider=acme, subject="alice-at-acme", email="alice.acme@example.com")
    # GitHub cannot be asked for a fresh sign-in: linked too, it is not offered to confirm it is her.
    github = Provider(slug="github", name="GitHub", kind="github", client_id="Iv1.github")
    github.set_client_secret("a github client secret")
    github.save()
    Identity.objects.create(user=user, provider=github, subject="1", email="octocat@github.com")
    settings.GATEHOUSE = {**settings.GATEHOUSE, "REAUTH_MAX_AGE": 3}
    log_in_through_ui(page, path="/account")
    signed_in_at = time.time()
    wait_until(lambda: time.time() - signed_in_at > 4, timeout=10, what="the sign-in to be older than REAUTH_MAX_AGE")

    page.get_by_test_id("unlink-identity").first.click()  # Acme's, linked first
    page.get_by_test_id("confirm-action").click()
    dialog_button = page.locator('[data-testid="reauth-provider"][data-provider="acme"]')
    expect(dialog_button).to_have_text("Continue with Acme ID")
    expect(page.get_by_test_id("reauth-provider")).to_have_count(1)
    screenshots(page, artifacts, "federation-reauth")
    page.set_viewport_size({"width": 1280, "height": 900})
    asked_at = int(time.time())
    dialog_button.click()
    sign_in_at_provider(page, "alice-at-acme")  # prompt=login: the provider asks again

    expect(page.get_by_test_id("identity-row").first).to_be_visible()
    assert page.url.endswith("/account")

    wait_for_a_fresh_provider_authentication(page, since=asked_at)
