"""The new-password fields show the server's password rules before the first submit."""
from playwright.sync_api import expect

from accounts.recovery import tokens
from tests.browser.conftest import log_in_through_ui, screenshots


def test_the_password_rules_show_before_the_first_submit(page, user, artifacts):
    # Repro: the sign-up, password change and reset forms said nothing of the rules until a
    # submit failed; the hint is now the server's own validators' text.
    rules = page.get_by_test_id("password-rules")

    page.goto("/signup")
    expect(rules).to_contain_text("at least 10 characters")
    expect(rules).to_contain_text("can’t be entirely numeric")
    screenshots(page, artifacts, "signup-rules")

    page.goto(f"/reset-password#token={tokens.make_token(user)}")
    expect(rules).to_contain_text("at least 10 characters")
    screenshots(page, artifacts, "reset-rules")

    log_in_through_ui(page, path="/account")
    expect(page.get_by_test_id("password-form").get_by_test_id("password-rules")).to_contain_text(
        "at least 10 characters"
    )
    screenshots(page, artifacts, "account-rules")


def test_the_rules_shown_are_the_servers_settings(page, db, settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 14}},
    ]
    page.goto("/signup")

    expect(page.get_by_test_id("password-rules").locator("li")).to_have_text(
        ["Your password must contain at least 14 characters."]
    )