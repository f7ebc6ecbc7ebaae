"""Small things a new user hit (issue 19, item 16): one word for signing out, the current session "active now",
the overview's two-step state and unverified address, one message at a time on the login page, no API docs link
in the end-user app."""
import re
import time
from datetime import timedelta

import pyotp
from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import expect

from accounts.limits.net import ClientInfo
from accounts.mfa import totp
from accounts.models import RefreshSession
from tests.browser.conftest import log_in_through_ui


def test_signing_out_is_called_sign_out_everywhere(page, user, log_in):
    # Repro: "Log out" in the header and "Log out everywhere" on Sessions, "Sign out" elsewhere.
    log_in_through_ui(page, path="/sessions")

    expect(page.get_by_test_id("logout")).to_have_text("Sign out")
    expect(page.get_by_test_id("logout-all")).to_have_text("Sign out everywhere")
    page.get_by_test_id("logout-all").click()
    expect(page.locator("dialog[open]")).to_contain_text("Sign out everywhere?")
    expect(page.locator("body")).not_to_contain_text(re.compile("log out", re.I))


def test_the_end_user_app_has_no_api_docs_link_and_the_staff_page_has(page, make_user):
    # Repro: every end-user page's footer linked to "API docs".
    alice = make_user("alice", is_staff=True)
    alice.user_permissions.add(Permission.objects.get(content_type__app_label="accounts", codename="view_user"))
    page.goto("/login")
    expect(page.get_by_test_id("login-form")).to_be_visible()
    expect(page.get_by_role("link", name="API docs")).to_have_count(0)
    log_in_through_ui(page)
    expect(page.get_by_role("link", name="API docs")).to_have_count(0)

    page.get_by_test_id("nav-staff").click()

    expect(page.get_by_test_id("api-docs-link")).to_have_attribute("href", "/api/docs/")


def test_the_session_in_use_reads_active_now(page, user, log_in):
    # Repro: the current session read "Last active 3 minutes ago" while in use (its last refresh).
    log_in(REMOTE_ADDR="198.51.100.7")
    log_in_through_ui(page)
    RefreshSession.objects.update(last_used_at=timezone.now() - timedelta(minutes=3))
    page.get_by_test_id("nav-sessions").click()

    current = page.locator('[data-testid="session-row"].is-current')
    expect(current.get_by_test_id("last-active")).to_have_text("Active now")
    other = page.locator('[data-testid="session-row"]:not(.is-current)')
    expect(other.get_by_test_id("last-active")).to_have_text("3 minutes ago")
    page.get_by_test_id("nav-dashboard").click()
    expect(page.locator(".overview-device")).to_contain_text("Active now")


def test_the_overview_shows_an_unverified_address_and_two_step_off(page, user):
    # Repro: the overview showed neither the two-step state nor an unverified address.
    log_in_through_ui(page)

    expect(page.get_by_test_id("overview-email-unverified")).to_contain_text("alice@example.com")
    expect(page.get_by_test_id("overview-two-step")).to_contain_text("Off")


def test_the_overview_shows_two_step_on_with_its_factor(page, user):
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    secret = totp.begin_enrolment(user=user).secret
    totp.confirm_enrolment(user=user, code=pyotp.TOTP(secret).at(time.time() - 30), client=ClientInfo("127.0.0.1", "t"))
    page.goto("/login")
    form = page.get_by_test_id("login-form")
    form.locator('input[name="username"]').fill("alice")
    form.locator('input[name="password"]').fill("correct horse battery staple")
    form.locator('button[type="submit"]').click()
    page.get_by_test_id("mfa-form").locator('input[name="code"]').fill(pyotp.TOTP(secret).now())
    page.get_by_test_id("mfa-form").locator('button[type="submit"]').click()
    expect(page.get_by_test_id("current-user")).to_have_text("alice")

    expect(page.get_by_test_id("overview-two-step")).to_contain_text("On")
    expect(page.get_by_test_id("overview-two-step")).to_contain_text("authenticator app")
    expect(page.get_by_test_id("overview-email-unverified")).to_have_count(0)


def test_the_login_page_shows_one_message_not_signed_out_beside_an_error(page, user, settings, live_server):
    # Repro: after signing out, a failed passkey sign-in showed its error beside "You're signed out".
    settings.SITE_URL = live_server.url
    settings.WEBAUTHN_RP_ID = None
    page.route("**/api/auth/login/passkey/options/", lambda route: route.fulfill(
        status=503, content_type="application/json",
        body='{"detail": "The service is temporarily unavailable. Try again shortly.", "code": "service_unavailable"}',
    ))
    log_in_through_ui(page)
    page.get_by_test_id("logout").click()
    notice = page.locator(".auth-card .alert", has_text="signed out")
    expect(notice).to_contain_text("signed out")

    page.get_by_test_id("passkey-login").click()

    expect(page.get_by_test_id("form-error")).to_be_visible()
    expect(notice).to_be_hidden()
