"""In Chromium: enrolment forced for staff (MFA_REQUIRED), and a trusted device (MFA_TRUST_DAYS)."""
import time

import pyotp
import pytest
from playwright.sync_api import expect

from accounts.devices.models import TrustedDevice
from accounts.limits.net import ClientInfo
from accounts.mfa import totp
from tests.conftest import PASSWORD

SHOTS = "/tmp/shots-mfa-policy"
SIZES = ((1280, 800), (390, 844))
NEW_PASSWORD = "another horse battery staple"


def shoot(page, name):
    from pathlib import Path

    Path(SHOTS).mkdir(exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def password_step(page, username="alice", password=PASSWORD, path="/login"):
    page.goto(path)
    form = page.get_by_test_id("login-form")
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(password)
    form.locator('button[type="submit"]').click()


def with_app(user):
    """A confirmed authenticator app for ``user``; its secret (the step before is spent)."""
    secret = totp.begin_enrolment(user=user).secret
    totp.confirm_enrolment(
        user=user, code=pyotp.TOTP(secret).at(time.time() - 30), client=ClientInfo("127.0.0.1", "setup")
    )
    return secret


def test_enrolment_forced_for_staff(page, make_user, settings):
    """Repro: with MFA_REQUIRED=staff a staff member without a factor went anywhere; now the app leads them
    to the account page, to enrol, and then to where they were going."""
    settings.GATEHOUSE = {**settings.GATEHOUSE, "MFA_REQUIRED": "staff"}
    make_user("boss", is_staff=True)
    password_step(page, "boss", path="/sessions")

    expect(page.get_by_test_id("mfa-enrollment-required")).to_be_visible()
    assert page.url.endswith("/account?next=%2Fsessions")
    shoot(page, "forced-enrolment")
    page.get_by_test_id("nav-staff").click()  # any other page leads back here
    expect(page.get_by_test_id("mfa-enrollment-required")).to_be_visible()
    assert "/account?next=%2Fstaff" in page.url

    page.goto("/account?next=%2Fsessions")
    page.get_by_test_id("two-step").get_by_test_id("setup-totp").click()
    setup = page.get_by_test_id("totp-setup")
    secret = setup.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    setup.locator('input[name="code"]').fill(pyotp.TOTP(secret).now())
    setup.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("recovery-codes")).to_be_visible()

    page.get_by_test_id("enrolment-continue").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Sessions")
    expect(page.get_by_test_id("session-row")).to_have_count(1)


def test_a_trusted_device_survives_a_browser_restart_and_ends_on_a_password_change(
    new_context, user, tmp_path
):
    secret = with_app(user)
    first = new_context().new_page()
    password_step(first)
    mfa = first.get_by_test_id("mfa-form")
    expect(mfa).to_be_visible()
    trust = first.get_by_test_id("trust-device")
    expect(trust).not_to_be_checked()
    expect(first.locator('label[for="trust-device"]')).to_have_text("Trust this device for 30 days")
    shoot(first, "two-step-trust-device")
    trust.check()
    mfa.locator('input[name="code"]').fill(pyotp.TOTP(secret).now())
    mfa.locator('button[type="submit"]').click()
    expect(first.get_by_test_id("current-user")).to_have_text("alice")
    assert TrustedDevice.objects.filter(user=user).count() == 1

    first.goto("/sessions")
    section = first.get_by_test_id("trusted-devices")
    expect(section.get_by_test_id("trusted-device-row")).to_have_count(1)
    expect(section).to_contain_text("This browser")
    shoot(first, "sessions-trusted-devices")

    # A browser restart: a new context with the saved storage state (cookies, the HttpOnly one included).
    state = str(tmp_path / "state.json")
    first.context.storage_state(path=state)
    first.get_by_test_id("logout").click()
    expect(first.get_by_test_id("login-form")).to_be_visible()
    first.context.storage_state(path=state)
    restarted = new_context(storage_state=state).new_page()
    password_step(restarted)
    expect(restarted.get_by_test_id("current-user")).to_have_text("alice")  # no second step

    # A password change ends it: the next sign-in asks for the code again.
    restarted.goto("/account")
    form = restarted.get_by_test_id("password-form")
    form.locator('input[name="current_password"]').fill(PASSWORD)
    form.locator('input[name="new_password"]').fill(NEW_PASSWORD)
    form.locator('input[name="new_password_confirm"]').fill(NEW_PASSWORD)
    form.locator('button[type="submit"]').click()
    expect(restarted.get_by_test_id("form-success")).to_be_visible()
    restarted.get_by_test_id("logout").click()
    expect(restarted.get_by_test_id("login-form")).to_be_visible()
    password_step(restarted, password=NEW_PASSWORD)
    expect(restarted.get_by_test_id("mfa-form")).to_be_visible()


def test_a_trusted_device_is_removed_from_the_sessions_page(new_context, user):
    secret = with_app(user)
    page = new_context().new_page()
    password_step(page)
    mfa = page.get_by_test_id("mfa-form")
    page.get_by_test_id("trust-device").check()
    mfa.locator('input[name="code"]').fill(pyotp.TOTP(secret).now())
    mfa.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("current-user")).to_have_text("alice")
    page.goto("/sessions")
    section = page.get_by_test_id("trusted-devices")
    section.get_by_test_id("remove-trusted-device").click()
    page.get_by_role("button", name="Stop trusting").last.click()
    expect(section.get_by_test_id("no-trusted-devices")).to_be_visible()
    assert not TrustedDevice.objects.exists()




def test_the_admin_of_a_staff_member_without_a_factor_says_to_enrol_in_the_app(page, make_user, settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "MFA_REQUIRED": "staff"}
    make_user("root", is_staff=True, is_superuser=True)
    page.goto("/admin/login/?next=/admin/")
    page.locator("#id_username").fill("root")
    page.locator("#id_password").fill(PASSWORD)
    page.locator('input[type="submit"]').click()
    notice = page.get_by_test_id("admin-enrolment-required")
    expect(notice).to_be_visible()
    shoot(page, "admin-enrolment-required")
    notice.get_by_test_id("admin-enrol-in-app").click()
    expect(page.get_by_test_id("login-form").or_(page.get_by_test_id("current-user"))).to_be_visible()
