"""Forgot password, end to end in Chromium: request, read the mail from the SMTP server, open the link, set, sign in."""
import re

import pytest
from playwright.sync_api import expect

from accounts.mail import outbox
from accounts.recovery import tokens
from tests.browser.conftest import log_in_through_ui, screenshots
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
        match = re.search(r"\S+/reset-password#token=[A-Za-z0-9_\-.]+", body_text(messages[-1]))
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
    # The page names the account, and takes the token out of the address bar before anything is POSTed.
    expect(page.get_by_test_id("reset-account")).to_have_text("alice")
    assert "token" not in page.url and page.url.endswith("/reset-password")
    set_password(page, NEW_PASSWORD)

    expect(page.get_by_test_id("login-form")).to_be_visible()
    expect(page.locator(".alert-success")).to_contain_text("password has been changed")
    log_in_through_ui(page, password=NEW_PASSWORD, path="/login")

    page.goto(link)  # used: the page says so at once and offers a new one
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


def test_the_reset_link_carries_its_token_in_the_fragment_and_the_page_shows_the_account(
    page, user, mailed_link, artifacts
):
    # Repro (issue 19, items 8b and 16): links were /reset-password?token=…, so opening one logged the token;
    # the page did not say which account it resets.
    ask_for_link(page)
    link = mailed_link()
    assert "/reset-password#token=" in link and "?" not in link
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(link)
    expect(page.get_by_test_id("reset-account-line")).to_contain_text("For the account alice")
    assert page.url.endswith("/reset-password")
    screenshots(page, artifacts, "reset-password-account")
    set_password(page, NEW_PASSWORD)
    expect(page.get_by_test_id("login-form")).to_be_visible()
    secret = link.split("#token=", 1)[1]
    assert requests and not [url for url in requests if secret in url or "token=" in url]


def test_an_old_query_string_link_is_not_taken_and_asks_for_a_new_one(page, user, artifacts):
    # A token in the query string has been sent to the server (and its access log): it is not used.
    token = tokens.make_token(user)
    posted = []
    page.on("request", lambda request: posted.append(request.url) if request.method == "POST" else None)
    page.goto(f"/reset-password?token={token}")
    expect(page.get_by_test_id("reset-link-invalid")).to_contain_text("no longer accepted")
    expect(page.get_by_test_id("request-new-link")).to_be_visible()
    assert "token" not in page.url
    screenshots(page, artifacts, "reset-password-old-link")
    assert posted == []
    assert tokens.user_for_token(token) == user  # still unused
