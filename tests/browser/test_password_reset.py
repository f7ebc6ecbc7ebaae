"""Forgot password, end to end in Chromium: request, read the mail from the SMTP server, open the link, set, sign in."""
import re

import pytest
from playwright.sync_api import expect

from accounts.mail import outbox
from tests.browser.conftest import log_in_through_ui
from tests.smtp import body_text

NEW_PASSWORD = "a brand new passphrase 42"


@pytest.fixture
def mailed_link(settings, live_server, smtp_server):
    """Deliver the outbox and return the reset link of the latest mail."""
    settings.SITE_URL = live_server.url

    def read(count=1):
        while outbox.deliver_due():
            pass
        messages = smtp_server.wait_for(count)
        match = re.search(r"\S+/reset-password\?token=[A-Za-z0-9_\-.]+", body_text(messages[-1]))
        assert match
        return match.group(0)

    return read


def ask_for_link(page, email="alice@example.com"):
    page.goto("/login")
    page.get_by_test_id("forgot-password-link").click()
    form = page.get_by_test_id("forgot-password-form")
    form.locator('input[name="email"]').fill(email)
    form.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("forgot-password-sent")).to_contain_text("If an account has this address")


def set_password(page, password):
    form = page.get_by_test_id("reset-password-form")
    form.locator('input[name="new_password"]').fill(password)
    form.locator('input[name="new_password_confirm"]').fill(password)
    form.locator('button[type="submit"]').click()


def test_forgot_password_request_mail_link_new_password_sign_in(page, user, mailed_link):
    # repro: a person who forgot the password gets back in through the mail, and the link then stops working
    ask_for_link(page)
    link = mailed_link()
    page.goto(link)
    set_password(page, NEW_PASSWORD)

    expect(page.get_by_test_id("login-form")).to_be_visible()
    expect(page.locator(".alert-success")).to_contain_text("password has been changed")
    log_in_through_ui(page, password=NEW_PASSWORD, path="/login")

    page.goto(link)  # used: the page says so and offers a new one
    set_password(page, "yet another passphrase 7")
    expect(page.get_by_test_id("reset-link-invalid")).to_contain_text("expired or was used")
    expect(page.get_by_test_id("request-new-link")).to_be_visible()


def test_weak_password_shows_the_server_messages(page, user, mailed_link):
    ask_for_link(page)
    page.goto(mailed_link())
    set_password(page, "password")
    expect(page.get_by_test_id("reset-password-form")).to_contain_text(re.compile("too common|too short", re.I))


def test_unknown_address_shows_the_same_message(page, db, mailed_link, smtp_server):
    ask_for_link(page, "nobody@example.com")
    assert outbox.deliver_due() == 0 and smtp_server.messages == []


def test_a_link_without_token_says_it_is_incomplete(page, db):
    page.goto("/reset-password")
    expect(page.get_by_test_id("reset-link-invalid")).to_contain_text("incomplete")
