"""The admin login's second step in Chromium: a code typed in, or a passkey through the page's script."""
import time

import pyotp
import pytest
from playwright.sync_api import expect

from accounts.limits.net import ClientInfo
from accounts.mfa import totp
from tests.browser.test_passkeys import add_passkey, passkey_site, virtual_authenticator  # noqa: F401  (a fixture)
from tests.conftest import PASSWORD


def password_step(page):
    page.goto("/admin/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.get_by_test_id("admin-second-step")).to_be_visible()


@pytest.fixture
def root(make_user):
    return make_user("root", is_staff=True, is_superuser=True)


def test_a_staff_member_with_an_authenticator_app_types_a_code(page, root, artifacts):
    # Repro (issue 19, item 1): the password alone opened the admin.
    secret = totp.begin_enrolment(user=root).secret
    step = pyotp.TOTP(secret)
    # Confirmed with the previous step's code, so that the current one is still unspent.
    totp.confirm_enrolment(user=root, code=step.at(time.time() - 30), client=ClientInfo("127.0.0.1", "setup"))

    password_step(page)
    page.goto("/admin/accounts/user/")
    expect(page.locator("#id_username")).to_be_visible()  # still the login page: no admin session
    password_step(page)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=str(artifacts / f"admin-second-step-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.fill("#id_code", step.now())
    page.click("#second-step-form input[type=submit]")

    expect(page.locator("#site-name")).to_be_visible()
    expect(page.locator("#user-tools")).to_contain_text("root")


def test_a_staff_member_with_a_passkey_uses_it_as_the_second_step(page, root, passkey_site, artifacts):  # noqa: F811
    authenticator = virtual_authenticator(page)
    page.goto("/")
    form = page.get_by_test_id("login-form")
    form.locator('input[name="username"]').fill("root")
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("current-user")).to_have_text("root")
    add_passkey(page, "This laptop")
    assert len(authenticator.credentials()) == 1

    password_step(page)
    button = page.get_by_role("button", name="Use your passkey")
    expect(button).to_be_visible()
    page.screenshot(path=str(artifacts / "admin-second-step-passkey-1280.png"), full_page=True)
    button.click()

    expect(page.locator("#site-name")).to_be_visible()
    expect(page.locator("#user-tools")).to_contain_text("root")
