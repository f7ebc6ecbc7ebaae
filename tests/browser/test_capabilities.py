"""The app offers only what this server has (GET /api/auth/config/), and a refusal shows the server's reason.

The live server is http://localhost:<port>; with SITE_URL unset (as here by
default, like `make run` on 127.0.0.1, which is an IP address) passkeys have no
relying party, and without EMAIL_URL no reset mail can go out.
"""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshots


@pytest.fixture
def bare_server(settings, live_server):
    settings.SITE_URL = None
    settings.EMAIL_URL = None
    return live_server


@pytest.fixture
def full_server(settings, live_server):
    settings.SITE_URL = live_server.url
    settings.WEBAUTHN_RP_ID = None
    settings.EMAIL_URL = "console:"
    return live_server


def test_a_server_without_passkeys_or_mail_offers_neither_on_the_login_page(page, bare_server, artifacts):
    # Repro (issue 19, item 10): on `make run` "Sign in with a passkey" was offered and answered 503;
    # without EMAIL_URL "Forgot password" was offered and answered 503.
    page.goto("/login")
    expect(page.get_by_test_id("login-form")).to_be_visible()

    expect(page.get_by_test_id("passkey-login")).to_have_count(0)
    expect(page.get_by_test_id("forgot-password-link")).to_have_count(0)
    screenshots(page, artifacts, "login-bare-server")


def test_a_server_with_a_domain_and_mail_offers_both(page, full_server):
    page.goto("/login")

    expect(page.get_by_test_id("passkey-login")).to_be_visible()
    expect(page.get_by_test_id("forgot-password-link")).to_be_visible()


def test_sign_up_switched_off_is_not_offered(page, full_server, settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "SIGNUP_ENABLED": False}
    page.goto("/login")

    expect(page.get_by_test_id("login-form")).to_be_visible()
    expect(page.get_by_role("link", name="Create an account")).to_have_count(0)


def test_a_503_with_a_reason_shows_the_reason_not_check_your_connection(page, bare_server):
    # Repro (issue 19, item 10): the reset's 503 "not set up on this server" read "Check your connection".
    page.goto("/forgot-password")
    form = page.get_by_test_id("forgot-password-form")
    form.locator('input[name="email"]').fill("alice@example.com")
    form.locator('button[type="submit"]').click()

    error = page.get_by_test_id("form-error")
    expect(error).to_contain_text("not set up on this server")
    expect(error).not_to_contain_text("connection")
