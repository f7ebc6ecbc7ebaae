"""Sign in by email code in Chromium (issue 22, item 2), with the suite's real SMTP server.

"Email me a code" on the login page, the code read from the delivered mail,
the mail's link to the code page with the address filled in; the second step
as after a password; the email address in the username field (item 1).
"""
import re

import pytest
from playwright.sync_api import expect

from accounts.mail import outbox
from accounts.models import User
from tests.browser.conftest import screenshots
from tests.conftest import PASSWORD
from tests.smtp import body_text


@pytest.fixture
def mailbox(settings, live_server, smtp_server):
    """Deliver the outbox; the latest mail's code and its link to the code page."""
    settings.SITE_URL = live_server.url

    def read(count=1):
        while outbox.deliver_due():
            pass
        text = body_text(smtp_server.wait_for(count)[-1])
        code = re.search(r"^\s+(\d{6})\s*$", text, re.MULTILINE).group(1)
        link = re.search(r"\S+/login/code#email=\S+", text).group(0)
        return code, link

    return read


def test_email_me_a_code_then_sign_in_with_the_code_from_the_mail(page, user, mailbox, artifacts):
    page.goto("/login")
    expect(page.get_by_test_id("login-form")).to_be_visible()
    screenshots(page, artifacts, "login-with-code-link")
    page.get_by_test_id("login-code-link").click()

    form = page.get_by_test_id("login-code-form")
    expect(form.locator('input[name="code"]')).to_be_hidden()
    form.locator('input[name="email"]').fill("Alice@Example.com")
    form.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("login-code-sent")).to_be_visible()
    expect(page.get_by_test_id("login-code-sent")).to_contain_text("If an account has this address")
    expect(form.locator('input[name="code"]')).to_be_focused()
    screenshots(page, artifacts, "login-code-sent")
    code, _ = mailbox()
    form.locator('input[name="code"]').fill(code)
    form.locator('button[type="submit"]').click()

    expect(page.get_by_test_id("current-user")).to_have_text("alice")
    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_the_mails_link_opens_the_code_page_with_the_address_filled_in(page, user, mailbox, context):
    ask_for_a_code(context.new_page())
    code, link = mailbox()
    assert code not in link

    page.goto(link)
    form = page.get_by_test_id("login-code-form")
    expect(form.locator('input[name="email"]')).to_have_value("alice@example.com")
    expect(form.locator('input[name="code"]')).to_be_visible()
    assert "#" not in page.url and "alice" not in page.url  # the address left the address bar
    form.locator('input[name="code"]').fill(code)
    form.locator('button[type="submit"]').click()

    expect(page.get_by_test_id("current-user")).to_have_text("alice")


def ask_for_a_code(page, email="alice@example.com"):
    page.goto("/login/code")
    form = page.get_by_test_id("login-code-form")
    form.locator('input[name="email"]').fill(email)
    form.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("login-code-sent")).to_be_visible()
    expect(page.get_by_test_id("login-code-sent")).to_contain_text("If an account has this address")
    return form


def test_a_wrong_code_says_so_and_the_right_one_still_works(page, user, mailbox, artifacts):
    form = ask_for_a_code(page)
    code, _ = mailbox()
    form.locator('input[name="code"]').fill(f"{(int(code) + 1) % 1_000_000:06d}")
    form.locator('button[type="submit"]').click()

    expect(form.get_by_text("That code is not right")).to_be_visible()
    screenshots(page, artifacts, "login-code-wrong")
    form.locator('input[name="code"]').fill(code)
    form.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("current-user")).to_have_text("alice")


def test_an_unknown_address_shows_the_same_message_and_gets_no_mail(page, db, mailbox, smtp_server):
    ask_for_a_code(page, "nobody@example.com")

    assert outbox.deliver_due() == 0 and smtp_server.messages == []


def test_a_code_for_an_account_with_a_second_factor_leads_to_the_second_step(page, user, mailbox):
    User.objects.filter(pk=user.pk).update(mfa_enabled=True)
    form = ask_for_a_code(page)
    code, _ = mailbox()
    form.locator('input[name="code"]').fill(code)
    form.locator('button[type="submit"]').click()

    expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_count(0)


def test_sign_in_with_the_email_address_in_the_username_field(page, user):
    page.goto("/login")
    form = page.get_by_test_id("login-form")
    form.locator('input[name="username"]').fill("ALICE@example.com")
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').click()

    expect(page.get_by_test_id("current-user")).to_have_text("alice")
