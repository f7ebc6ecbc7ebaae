"""Verified addresses and change of address, end to end in Chromium, with the mail read from the SMTP server.

Each page is captured at 1280 and 390 px into test-artifacts/ (verify-*.png, signup-verify-*.png, login-unverified-*.png,
account-email-*.png).
"""
import re

import pytest
from playwright.sync_api import expect

from accounts.mail import outbox
from accounts.models import User
from tests.browser.conftest import log_in_through_ui
from tests.conftest import PASSWORD
from tests.smtp import body_text

SIGNUP_PASSWORD = "a long enough passphrase 7"
SIZES = ((1280, 800), (390, 844))


@pytest.fixture
def mail(settings, live_server, smtp_server):
    """Deliver the outbox; ``link(to)`` is the verify-email link of the latest mail to ``to``."""
    settings.SITE_URL = live_server.url

    class Mailbox:
        @staticmethod
        def link(to, count=1):
            while outbox.deliver_due():
                pass
            smtp_server.wait_for(count)
            messages = smtp_server.to(to)
            assert messages, [m["To"] for m in smtp_server.messages]
            match = re.search(r"\S+/verify-email#token=[A-Za-z0-9_\-.]+", body_text(messages[-1]))
            assert match, body_text(messages[-1])
            return match.group(0)

    return Mailbox()


@pytest.fixture
def mandatory(settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "SIGNUP_EMAIL_VERIFICATION": "mandatory"}


def shoot(page, artifacts, name):
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(artifacts / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def fill_login(page, username, password):
    form = page.get_by_test_id("login-form")
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(password)
    form.locator('button[type="submit"]').click()


def test_mandatory_sign_up_login_refused_mail_link_verified_login_works(page, db, mandatory, mail, artifacts):
    # repro: SIGNUP_EMAIL_VERIFICATION=mandatory; sign up → "confirm your address"; login refused with the message
    # and a resend button; the link from the mail → "confirmed"; then the login works
    page.goto("/signup")
    form = page.get_by_test_id("signup-form")
    form.locator('input[name="username"]').fill("carol")
    form.locator('input[name="email"]').fill("carol@example.com")
    form.locator('input[name="password"]').fill(SIGNUP_PASSWORD)
    form.locator('input[name="password_confirm"]').fill(SIGNUP_PASSWORD)
    form.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("signup-done")).to_be_visible()
    expect(page.get_by_test_id("email-unverified")).to_contain_text("carol@example.com")
    shoot(page, artifacts, "signup-verify")

    page.goto("/login")
    fill_login(page, "carol", "not the password")
    expect(page.get_by_test_id("form-error")).to_contain_text("Incorrect username or password")
    expect(page.get_by_test_id("email-unverified")).to_have_count(0)  # nothing said before the password is right
    fill_login(page, "carol", SIGNUP_PASSWORD)
    notice = page.get_by_test_id("email-unverified")
    expect(notice).to_contain_text("Confirm your email address")
    expect(page.get_by_test_id("form-error")).to_be_hidden()
    notice.get_by_test_id("resend-verification").click()
    expect(notice.get_by_test_id("verification-resent")).to_contain_text("A new link is on its way")
    shoot(page, artifacts, "login-unverified")
    assert page.get_by_test_id("current-user").count() == 0

    link = mail.link("carol@example.com", count=2)  # the sign-up's mail and the resent one
    assert "/verify-email#token=" in link and "?" not in link
    page.goto(link)
    expect(page.get_by_test_id("verify-email-done")).to_contain_text("Your email address is confirmed")
    assert page.url.endswith("/verify-email")  # the token left the address bar
    shoot(page, artifacts, "verify-done")
    assert User.objects.get(username="carol").email_verified_at is not None

    page.get_by_test_id("verify-email-sign-in").click()
    fill_login(page, "carol", SIGNUP_PASSWORD)
    expect(page.get_by_test_id("current-user")).to_have_text("carol")

    page.goto(link)  # used: the page says so and offers a new one
    expect(page.get_by_test_id("verify-email-invalid")).to_contain_text("expired or was used")
    expect(page.get_by_test_id("resend-verification-form")).to_be_visible()
    shoot(page, artifacts, "verify-invalid")


def test_a_link_without_token_says_it_is_incomplete_and_a_new_one_can_be_asked_for(page, db, mail, artifacts):
    page.goto("/verify-email")
    expect(page.get_by_test_id("verify-email-invalid")).to_contain_text("incomplete")
    form = page.get_by_test_id("resend-verification-form")
    form.locator('input[name="email"]').fill("nobody@example.com")
    form.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("verification-resent")).to_contain_text("If this address is waiting")
    shoot(page, artifacts, "verify-resent")


def test_change_of_address_from_the_account_page(page, user, settings, mail, artifacts):
    # repro: account page → new address + password → "check your inbox"; (an old login asks "Confirm it's you"
    # first); the link from the mail to the new address → confirmed; the account page shows it, verified
    settings.GATEHOUSE = {**settings.GATEHOUSE, "REAUTH_MAX_AGE": 1}
    log_in_through_ui(page)
    page.get_by_test_id("nav-account").click()
    expect(page.get_by_test_id("email-status")).to_have_text("Not verified")
    expect(page.get_by_test_id("resend-verification")).to_be_visible()
    shoot(page, artifacts, "account-email")
    page.wait_for_timeout(2500)  # the login is now older than REAUTH_MAX_AGE: a lower bound, not a race

    form = page.get_by_test_id("email-form")
    form.locator('input[name="new_email"]').fill("alice@new.example")
    form.locator('input[name="password"]').fill("not my password")
    form.locator('button[type="submit"]').click()
    dialog = page.get_by_test_id("reauth-form")
    expect(dialog).to_be_visible()
    # Refused as old: from here on a fresh authentication must count as recent however slow the machine.
    settings.GATEHOUSE = {**settings.GATEHOUSE, "REAUTH_MAX_AGE": 300}
    dialog.locator('input[name="password"]').fill(PASSWORD)
    dialog.locator('button[type="submit"]').click()
    expect(form).to_contain_text("Your password is not correct.")  # the change's own password check

    form.locator('input[name="password"]').fill(PASSWORD)
    settings.GATEHOUSE = {**settings.GATEHOUSE, "REAUTH_MAX_AGE": 300}  # just re-authenticated: recent enough
    form.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("email-change-sent")).to_contain_text("alice@new.example")
    shoot(page, artifacts, "account-email-sent")
    user.refresh_from_db()
    assert user.email == "alice@example.com"

    page.goto(mail.link("alice@new.example", count=2))  # the link, and the notice to the old address
    expect(page.get_by_test_id("verify-email-done")).to_be_visible()
    page.get_by_role("link", name="Go to your account").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Account")
    expect(page.locator(".details").first).to_contain_text("alice@new.example")  # the profile card
    expect(page.get_by_test_id("email-status")).to_have_text("Verified")
    expect(page.get_by_test_id("resend-verification")).to_have_count(0)


def test_an_old_query_string_verification_link_is_not_used(page, make_user, mail, artifacts):
    # Repro (issue 19, item 8b): a token in the query string was logged on the way; the page does not use it.
    from accounts.recovery import address_tokens

    carol = make_user("carol")
    token = address_tokens.make_verification_token(carol)
    page.goto(f"/verify-email?token={token}")
    expect(page.get_by_test_id("verify-email-invalid")).to_contain_text("no longer accepted")
    assert "token" not in page.url
    shoot(page, artifacts, "verify-old-link")
    carol.refresh_from_db()
    assert carol.email_verified_at is None


def test_sign_up_says_check_your_mail_when_a_link_was_sent(page, db, mail, artifacts):
    # Repro (issue 19, item 16): after sign-up nothing said "check your mail".
    page.goto("/signup")
    form = page.get_by_test_id("signup-form")
    form.locator('input[name="username"]').fill("dora")
    form.locator('input[name="email"]').fill("dora@example.com")
    form.locator('input[name="password"]').fill(SIGNUP_PASSWORD)
    form.locator('input[name="password_confirm"]').fill(SIGNUP_PASSWORD)
    form.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("signup-done")).to_contain_text("Check your mail")
    expect(page.get_by_test_id("signup-check-mail")).to_contain_text("dora@example.com")
    shoot(page, artifacts, "signup-check-mail")
    page.get_by_test_id("signup-continue").click()
    expect(page.get_by_test_id("current-user")).to_have_text("dora")
    assert "/verify-email#token=" in mail.link("dora@example.com")


def test_sign_up_with_an_invisible_character_in_the_address_says_so_on_the_field(page, make_user, artifacts):
    # Repro (issue 19, item 6): x\u200b@example.test was accepted beside x@example.test.
    make_user("x", email="x@example.test")
    page.goto("/signup")
    form = page.get_by_test_id("signup-form")
    form.locator('input[name="username"]').fill("newcomer")
    form.locator('input[name="email"]').fill("x\u200b@example.test")
    form.locator('input[name="password"]').fill(SIGNUP_PASSWORD)
    form.locator('input[name="password_confirm"]').fill(SIGNUP_PASSWORD)
    form.locator('button[type="submit"]').click()
    expect(form).to_contain_text("Email addresses cannot contain invisible or control characters.")
    shoot(page, artifacts, "signup-invisible")
    form.locator('input[name="email"]').fill("x@examplｅ.test")
    form.locator('button[type="submit"]').click()
    expect(form).to_contain_text("That email address is already in use.")
    assert User.objects.count() == 1
