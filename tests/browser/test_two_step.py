"""Two-step sign-in in Chromium: enrol an authenticator app on the account page, then sign in with a code and with a recovery code."""
import time

import pyotp
import pytest
from playwright.sync_api import expect

from accounts.limits.net import ClientInfo
from accounts.mfa import totp
from tests.browser.conftest import log_in_through_ui
from tests.conftest import PASSWORD

SIZES = ((1280, 800), (390, 844))


def shoot(page, artifacts, name, full_page=True):
    """Screenshots at desktop and phone widths (from the top: the header is sticky)."""
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        if full_page:
            page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(artifacts / f"{name}-{width}.png"), full_page=full_page)
    page.set_viewport_size({"width": 1280, "height": 800})


def password_step(page, username="alice"):
    page.goto("/login")
    form = page.get_by_test_id("login-form")
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').click()
    mfa = page.get_by_test_id("mfa-form")
    expect(mfa).to_be_visible()
    return mfa


def sign_out(page):
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-form")).to_be_visible()


@pytest.fixture
def clipboard_page(new_context):
    return new_context(permissions=["clipboard-read", "clipboard-write"]).new_page()


def test_enrol_on_the_account_page_then_sign_in_with_a_code_and_with_a_recovery_code(clipboard_page, user, artifacts):
    # repro: a user sets up an authenticator app in the browser, and from then on signs in with password + code
    page = clipboard_page
    log_in_through_ui(page, path="/account")
    section = page.get_by_test_id("two-step")
    section.get_by_test_id("setup-totp").click()

    setup = page.get_by_test_id("totp-setup")
    expect(setup).to_be_visible()
    qr = setup.get_by_test_id("totp-qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the data: URI is allowed by the CSP
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    secret = setup.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    assert len(secret) == 32
    shoot(page, artifacts, "totp-setup")

    setup.locator('input[name="code"]').fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    setup.locator('button[type="submit"]').click()
    expect(setup).to_contain_text("not right")
    setup.locator('input[name="code"]').fill(pyotp.TOTP(secret).now())
    setup.locator('button[type="submit"]').click()

    codes_box = page.get_by_test_id("recovery-codes")
    expect(codes_box).to_be_visible()
    codes = codes_box.locator("li code").all_inner_texts()
    assert len(codes) == 10
    shoot(page, artifacts, "recovery-codes")

    with page.expect_download() as download_info:
        codes_box.get_by_test_id("download-recovery-codes").click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == "gatehouse-recovery-codes.txt"
    saved = open(download.path(), encoding="utf-8").read()
    assert all(code in saved for code in codes) and "alice" in saved

    codes_box.get_by_test_id("copy-recovery-codes").click()
    expect(page.get_by_test_id("toast")).to_have_text("Recovery codes copied.")
    assert all(code in page.evaluate("navigator.clipboard.readText()") for code in codes)

    codes_box.get_by_test_id("recovery-codes-done").click()
    expect(section.get_by_test_id("two-step-on")).to_be_visible()
    expect(section.get_by_test_id("recovery-codes-left")).to_have_text("10 of 10 left")

    # Password, then the code (the next step's: the confirmation spent this one).
    sign_out(page)
    mfa = password_step(page)
    shoot(page, artifacts, "mfa-form")
    mfa.locator('input[name="code"]').fill(pyotp.TOTP(secret).at(time.time() + 30))
    mfa.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("current-user")).to_have_text("alice")

    # Password, then a recovery code.
    sign_out(page)
    mfa = password_step(page)
    page.get_by_test_id("use-recovery-code").click()
    expect(mfa).to_contain_text("Recovery code")
    shoot(page, artifacts, "mfa-form-recovery")
    mfa.locator('input[name="code"]').fill(codes[0].upper())
    mfa.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("current-user")).to_have_text("alice")

    # The same recovery code a second time is refused.
    sign_out(page)
    mfa = password_step(page)
    page.get_by_test_id("use-recovery-code").click()
    mfa.locator('input[name="code"]').fill(codes[0])
    mfa.locator('button[type="submit"]').click()
    expect(mfa).to_contain_text("used before")


@pytest.fixture
def alice_with_app(user):
    """Alice with a confirmed authenticator app (set up through the flows); her secret."""
    secret = totp.begin_enrolment(user=user).secret
    # The code of the step before (drift), so that the current and the next step are left for the test.
    earlier = pyotp.TOTP(secret).at(time.time() - 30)
    totp.confirm_enrolment(user=user, code=earlier, client=ClientInfo("127.0.0.1", "setup"))
    return secret


def test_removing_the_app_asks_to_confirm_and_for_a_code_when_the_authentication_is_old(
    page, alice_with_app, settings, artifacts
):
    # repro: a factor removed from an idle session needs a fresh proof: the dialog takes a code instead of the password
    settings.GATEHOUSE = {**settings.GATEHOUSE, "REAUTH_MAX_AGE": 1}
    mfa = password_step(page)
    mfa.locator('input[name="code"]').fill(pyotp.TOTP(alice_with_app).now())
    mfa.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("current-user")).to_have_text("alice")
    page.get_by_test_id("nav-account").click()
    section = page.get_by_test_id("two-step")
    remove = section.get_by_test_id("remove-totp")
    expect(remove).to_be_visible()
    shoot(page, artifacts, "two-step-on")
    page.wait_for_timeout(2500)  # the login is now older than REAUTH_MAX_AGE: a lower bound, not a race

    remove.click()
    page.get_by_test_id("cancel-action").click()  # the in-page confirmation: cancel changes nothing
    expect(section.get_by_test_id("two-step-on")).to_be_visible()
    remove.click()
    page.get_by_test_id("confirm-action").click()

    dialog = page.get_by_test_id("reauth-form")
    expect(dialog).to_be_visible()
    # The refusal happened; from here on a fresh authentication must count as
    # recent however slow the machine is (the live server reads this per request).
    settings.GATEHOUSE = {**settings.GATEHOUSE, "REAUTH_MAX_AGE": 300}
    # Changing a factor while one is on takes a second factor: the dialog asks for a code, not the password.
    expect(dialog.locator('input[name="code"]')).to_be_visible()
    expect(dialog.locator('input[name="password"]')).to_be_hidden()
    expect(dialog.get_by_test_id("reauth-use-code")).to_be_hidden()
    shoot(page, artifacts, "reauth-code", full_page=False)  # a modal: what the viewport shows
    dialog.locator('input[name="code"]').fill(pyotp.TOTP(alice_with_app).at(time.time() + 30))
    dialog.locator('button[type="submit"]').click()

    expect(page.get_by_test_id("toast")).to_contain_text("Two-step sign-in is off")
    expect(section.get_by_test_id("setup-totp")).to_be_visible()
    sign_out(page)
    log_in_through_ui(page, path="/login")  # the password alone again
