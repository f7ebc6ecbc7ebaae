"""The account page's password card in Chromium: a change for an account with a password, a first one by mail
for an account without (made through a sign-in provider), in English, German and Arabic.

Repro (issue 25, item 4): an account made through a sign-in provider has no password, yet its account page
asked for the "Current password" to change it.
"""
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.mail import outbox
from tests.browser.conftest import log_in_through_ui, screenshots
from tests.smtp import body_text

pytestmark = pytest.mark.django_db(transaction=True)

SET_A_PASSWORD = {"en": "Set a password", "de": "Passwort festlegen", "ar": "تعيين كلمة مرور"}
CHANGE_PASSWORD = {"en": "Change password", "de": "Passwort ändern", "ar": "تغيير كلمة المرور"}
LOCALES = {"en": "en-US", "de": "de-DE", "ar": "ar"}


@pytest.fixture
def deliver(settings, live_server, smtp_server):
    """Deliver the outbox; the text of the ``count``-th mail delivered."""
    settings.SITE_URL = live_server.url

    def read(count=1):
        while outbox.deliver_due():
            pass
        return body_text(smtp_server.wait_for(count)[count - 1])

    return read


@pytest.fixture
def provider_account(make_user):
    """Carol, as a sign-in provider made her: a verified address and no usable password."""
    return make_user("carol", password=None, email_verified_at=timezone.now())


def sign_in_with_a_mailed_code(page, deliver, email="carol@example.com"):
    """The way in for an account without a password here (its provider is not on a test machine)."""
    page.goto("/login/code")
    form = page.get_by_test_id("login-code-form")
    form.locator('input[name="email"]').fill(email)
    form.locator('button[type="submit"]').click()
    expect(form.locator('input[name="code"]')).to_be_visible()
    code = re.search(r"^\s+(\d{6})\s*$", deliver(), re.MULTILINE).group(1)
    form.locator('input[name="code"]').fill(code)
    form.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("current-user")).to_have_text("carol")


def test_an_account_without_a_password_is_offered_one_by_mail_not_a_change(page, provider_account, deliver,
                                                                           artifacts):
    sign_in_with_a_mailed_code(page, deliver)
    page.goto("/account")

    card = page.get_by_test_id("set-password-section")
    expect(card).to_contain_text("Your account has no password")
    expect(page.get_by_test_id("password-section")).to_have_count(0)
    expect(page.locator('input[name="current_password"]')).to_have_count(0)
    # Nor a password field to confirm a change of address with: it says to set one first.
    expect(page.locator('input[type="password"]')).to_have_count(0)
    expect(page.get_by_test_id("email-change-needs-password")).to_be_visible()
    card.get_by_test_id("set-password-send").click()

    expect(card.get_by_test_id("set-password-sent")).to_contain_text("Check the inbox of carol@example.com")
    # The reset mail, whose link sets the first password (docs/federation.md).
    assert re.search(r"/reset-password#token=\S+", deliver(2))
    screenshots(page, artifacts, "account-set-password-sent")


def test_an_account_with_a_password_still_changes_it(page, user):
    log_in_through_ui(page)
    page.goto("/account")

    expect(page.get_by_test_id("password-section")).to_contain_text("Change password")
    expect(page.locator('input[name="current_password"]')).to_be_visible()
    expect(page.get_by_test_id("set-password-section")).to_have_count(0)
    expect(page.get_by_test_id("email-form").locator('input[name="password"]')).to_be_visible()


@pytest.mark.parametrize("language", ["en", "de", "ar"])
def test_the_password_card_in_each_language(new_context, language, user, provider_account, deliver, artifacts):
    with_password = new_context(locale=LOCALES[language]).new_page()
    log_in_through_ui(with_password)
    with_password.goto("/account")
    expect(with_password.get_by_test_id("password-section")).to_contain_text(CHANGE_PASSWORD[language])
    expect(with_password.locator("html")).to_have_attribute("lang", language)
    screenshots(with_password, artifacts, f"account-with-password-{language}")

    without = new_context(locale=LOCALES[language]).new_page()
    sign_in_with_a_mailed_code(without, deliver)
    without.goto("/account")
    expect(without.get_by_test_id("set-password-section")).to_contain_text(SET_A_PASSWORD[language])
    expect(without.get_by_test_id("language-select")).to_have_value(language)
    screenshots(without, artifacts, f"account-provider-only-{language}")
    # At a phone's width nothing runs past the page (the German button's label is long).
    assert without.evaluate("document.documentElement.scrollWidth") <= 390
