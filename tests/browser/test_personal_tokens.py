"""The account page's personal access tokens, end to end: create, copy, use from a script, revoke."""
import re

import pytest
from playwright.sync_api import expect

from accounts.personal_tokens.models import PersonalAccessToken
from tests.browser import accessibility
from tests.browser.conftest import log_in_through_ui
from tests.browser.test_accessibility import DJANGO_MARKUP
from tests.browser.test_admin_ui import log_in_to_admin
from tests.conftest import PASSWORD
from tests.personal_tokens.conftest import Script

TOKEN_FORM = re.compile(r"gat_[0-9a-f]{16}_[0-9A-Za-z]{43}")


def create_through_ui(page, name, days="90", scopes=("profile:read",)):
    form = page.get_by_test_id("token-form")
    form.locator('input[name="token_name"]').fill(name)
    form.locator('select[name="expires_in_days"]').select_option(days)
    for scope in scopes:
        form.locator(f'input[name="scopes"][value="{scope}"]').check()
    form.locator('button[type="submit"]').click()


def test_create_copy_use_and_revoke_a_token_from_the_account_page(page, context, user, artifacts):
    # repro: create "nightly backup" on /account, copy it, call /api/auth/me/ with it, revoke it in the UI → 401
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in_through_ui(page)
    page.get_by_test_id("nav-account").click()
    expect(page.get_by_test_id("tokens-empty")).to_be_visible()

    create_through_ui(page, "nightly backup")

    shown = page.get_by_test_id("new-token")
    expect(shown).to_be_visible()
    expect(page.get_by_test_id("new-token-panel")).to_contain_text("won’t be shown again")
    token = shown.input_value()
    assert TOKEN_FORM.fullmatch(token)
    page.get_by_test_id("copy-token").click()
    expect(page.get_by_test_id("copy-token")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == token
    rows = page.get_by_test_id("token-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("nightly backup")
    expect(rows.first).to_contain_text(token.rsplit("_", 1)[0])
    expect(rows.first).to_contain_text("never")
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate("window.scrollTo(0, 0)")  # a full-page shot of a scrolled page repeats the sticky header
        page.screenshot(path=str(artifacts / f"account-tokens-new-{width}.png"), full_page=True)

    script = Script(token)
    response = script.get("/api/auth/me/")
    assert response.status_code == 200 and response.json()["username"] == "alice"

    page.get_by_test_id("token-done").click()
    expect(page.get_by_test_id("new-token")).to_have_count(0)  # the token leaves the page
    page.reload()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Last used")
    expect(rows.first).not_to_contain_text("never")
    assert token not in page.content()

    rows.first.get_by_test_id("revoke-token").click()
    expect(page.locator("dialog[open]")).to_contain_text("Revoke this token?")
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(artifacts / f"account-tokens-revoke-{width}.png"))
    page.get_by_test_id("confirm-action").click()

    expect(page.get_by_test_id("toast")).to_contain_text("revoked")
    expect(rows).to_have_count(0)
    expect(page.get_by_test_id("tokens-empty")).to_be_visible()
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(artifacts / f"account-tokens-revoked-{width}.png"))
    assert script.get("/api/auth/me/").status_code == 401


def test_the_form_offers_the_declared_scopes_and_the_list_shows_each_tokens_scopes(page, user, artifacts):
    # repro: the account page's token form had no scopes; now a checkbox per declared scope, with its description
    log_in_through_ui(page)
    page.get_by_test_id("nav-account").click()
    boxes = page.get_by_test_id("token-scope")
    expect(boxes).to_have_count(2)
    assert [boxes.nth(i).get_attribute("value") for i in range(2)] == ["profile:read", "users:read"]
    expect(page.get_by_test_id("token-scopes")).to_contain_text("Read your username")
    page.get_by_test_id("token-form").locator('input[name="token_name"]').fill("no scope")
    page.get_by_test_id("token-form").locator('button[type="submit"]').click()
    expect(page.get_by_test_id("token-scopes")).to_contain_text("Choose at least one scope")
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(artifacts / f"account-tokens-scopes-{width}.png"), full_page=True)
    assert not PersonalAccessToken.objects.exists()

    create_through_ui(page, "reader", scopes=("profile:read", "users:read"))

    expect(page.get_by_test_id("new-token")).to_be_visible()
    expect(page.get_by_test_id("token-row-scopes")).to_have_text("Scopes profile:readusers:read")
    assert PersonalAccessToken.objects.get().scopes == ["profile:read", "users:read"]
    page.get_by_test_id("token-done").click()
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(artifacts / f"account-tokens-list-scopes-{width}.png"), full_page=True)


def test_a_server_refusal_shows_at_the_name_field(page, user):
    log_in_through_ui(page)
    page.get_by_test_id("nav-account").click()
    create_through_ui(page, "deploy")
    expect(page.get_by_test_id("new-token")).to_be_visible()

    create_through_ui(page, "Deploy")

    expect(page.get_by_test_id("token-form")).to_contain_text("already have a token with this name")
    expect(page.get_by_test_id("token-row")).to_have_count(1)
    assert PersonalAccessToken.objects.count() == 1


def test_an_old_authentication_asks_for_the_password_then_creates_the_token(page, user, settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "REAUTH_MAX_AGE": 1}
    log_in_through_ui(page)
    page.get_by_test_id("nav-account").click()
    page.wait_for_timeout(2500)  # the login is now older than REAUTH_MAX_AGE: a lower bound, not a race

    create_through_ui(page, "ci")

    dialog = page.get_by_test_id("reauth-form")
    expect(dialog).to_be_visible()
    # Refused as old: from here on a fresh authentication must count as recent however slow the machine.
    settings.GATEHOUSE = {**settings.GATEHOUSE, "REAUTH_MAX_AGE": 300}
    dialog.locator('input[name="password"]').fill(PASSWORD)
    dialog.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("new-token")).to_be_visible()
    assert PersonalAccessToken.objects.filter(name="ci").count() == 1


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_tokens_section_and_the_admin_list_have_no_serious_accessibility_violation(
    new_context, make_user, scheme, artifacts
):
    make_user("alice")
    make_user("root", is_staff=True, is_superuser=True)
    page = new_context(color_scheme=scheme).new_page()
    found = []
    log_in_through_ui(page)
    page.get_by_test_id("nav-account").click()
    create_through_ui(page, "nightly backup")
    expect(page.get_by_test_id("new-token")).to_be_visible()
    page.get_by_test_id("copy-token").click()
    found.extend(accessibility.violations(page, label=f"account, new token ({scheme})"))
    page.get_by_test_id("token-row").first.get_by_test_id("revoke-token").click()
    expect(page.locator("dialog[open]")).to_be_visible()
    found.extend(accessibility.violations(page, label=f"account, revoke token dialog ({scheme})"))
    page.get_by_test_id("cancel-action").click()

    admin = new_context(color_scheme=scheme, viewport={"width": 1366, "height": 768}).new_page()
    log_in_to_admin(admin)
    admin.goto("/admin/accounts/personalaccesstoken/")
    expect(admin.locator("#result_list")).to_be_visible()
    found.extend(accessibility.violations(admin, label=f"admin tokens ({scheme})", skip_rules=DJANGO_MARKUP))
    admin.screenshot(path=str(artifacts / f"admin-tokens-{scheme}.png"))

    print(accessibility.report(found))
    assert accessibility.failing(found) == [], accessibility.report(accessibility.failing(found))
