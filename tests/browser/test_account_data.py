"""The account's own data in Chromium: sign out everywhere else, the profile, the download, deleting the account."""
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from accounts.models import RefreshSession
from tests.browser.conftest import log_in_through_ui, screenshots

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path("/tmp/shots-account-data")


def dialog_shots(page, shots, name):
    """The viewport (where the dialog is) at a desktop and a phone width."""
    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(shots / f"{name}-{width}.png"))


@pytest.fixture
def shots():
    SHOTS.mkdir(exist_ok=True)
    return SHOTS


def test_sign_out_everywhere_else_keeps_this_browser(page, user, log_in, shots):
    phone, laptop = log_in(), log_in()
    log_in_through_ui(page)
    page.get_by_test_id("nav-sessions").click()
    expect(page.get_by_test_id("session-row")).to_have_count(3)
    screenshots(page, shots, "sessions-buttons")

    page.get_by_test_id("logout-others").click()
    expect(page.locator("dialog[open]")).to_contain_text("Sign out everywhere else?")
    dialog_shots(page, shots, "confirm-logout-others")
    page.get_by_test_id("confirm-action").click()

    expect(page.get_by_test_id("session-row")).to_have_count(1)
    expect(page.get_by_test_id("current-user")).to_have_text("alice")
    assert phone.refresh().status_code == 401 and laptop.refresh().status_code == 401
    assert RefreshSession.objects.active().count() == 1


def test_profile_saves_names_and_a_new_username(page, user, shots):
    log_in_through_ui(page)
    page.get_by_test_id("nav-account").click()
    form = page.get_by_test_id("profile-form")
    expect(form).to_be_visible()
    screenshots(page, shots, "account-page")

    form.locator('input[name="first_name"]').fill("Alice")
    form.locator('input[name="last_name"]').fill("Liddell")
    form.locator('input[name="username"]').fill("alice.l")
    form.locator('button[type="submit"]').click()

    expect(page.get_by_test_id("profile-saved")).to_contain_text("You now sign in as alice.l")
    expect(page.get_by_test_id("current-user")).to_have_text("alice.l")
    user.refresh_from_db()
    # The language is the picker's alone (tests/browser/test_languages.py): the form leaves it as it was.
    assert (user.username, user.first_name, user.last_name, user.language) == ("alice.l", "Alice", "Liddell", "")


def test_profile_shows_a_taken_username_beside_the_field(page, user, make_user):
    make_user("bob")
    log_in_through_ui(page)
    page.get_by_test_id("nav-account").click()
    form = page.get_by_test_id("profile-form")

    form.locator('input[name="username"]').fill("BOB")
    form.locator('button[type="submit"]').click()

    expect(form.locator(".field-error").first).to_contain_text("That username is taken.")
    user.refresh_from_db()
    assert user.username == "alice"


def test_download_my_data_saves_a_json_file(page, user):
    log_in_through_ui(page)
    page.get_by_test_id("nav-account").click()

    with page.expect_download() as download:
        page.get_by_test_id("export-data").click()

    document = json.loads(Path(download.value.path()).read_text())
    assert document["profile"]["username"] == "alice"
    assert document["sessions"]


def test_delete_my_account_names_what_goes_and_signs_the_browser_out(page, user, log_in, shots):
    other = log_in()
    log_in_through_ui(page)
    page.get_by_test_id("nav-account").click()

    page.get_by_test_id("delete-account").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("Delete your account?")
    expect(page.get_by_test_id("confirm-details")).to_contain_text("personal access tokens")
    expect(page.get_by_test_id("cancel-action")).to_be_focused()
    dialog_shots(page, shots, "confirm-delete-account")
    page.get_by_test_id("cancel-action").click()
    assert get_user_model().objects.filter(pk=user.pk).exists()

    page.get_by_test_id("delete-account").click()
    page.get_by_test_id("confirm-action").click()

    expect(page.get_by_test_id("login-form")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Your account has been deleted")
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert other.refresh().status_code == 401
    page.reload()
    expect(page.get_by_test_id("login-form")).to_be_visible()


def test_an_admin_deletes_an_account_after_the_confirmation_page(page, make_user, log_in, shots):
    from tests.browser.test_admin_ui import log_in_to_admin

    make_user("root", is_staff=True, is_superuser=True)
    alice = make_user("alice")
    device = log_in("alice")

    log_in_to_admin(page)
    page.goto("/admin/accounts/user/")
    page.locator("#result_list tbody tr").filter(has_text="alice").locator("input.action-select").check()
    page.select_option("select[name=action]", "delete_accounts")
    page.click("button[name=index]")
    expect(page.locator("h1")).to_have_text("Delete accounts and their personal data")
    expect(page.get_by_test_id("confirm-objects")).to_contain_text("alice")
    screenshots(page, shots, "admin-confirm-delete")
    assert get_user_model().objects.filter(pk=alice.pk).exists()

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Yes, I’m sure").click()

    expect(page.locator(".messagelist")).to_contain_text("Deleted 1 account.")
    assert not get_user_model().objects.filter(pk=alice.pk).exists()
    assert device.refresh().status_code == 401
