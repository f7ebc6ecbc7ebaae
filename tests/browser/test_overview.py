"""The overview as the account's security page: this device, the account, its recent activity."""
import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from accounts.audit import record_event
from accounts.limits.net import ClientInfo
from accounts.models import RevocationReason, SecurityEventKind
from tests.browser.conftest import log_in_through_ui, screenshots
from tests.conftest import PASSWORD

NEW_PASSWORD = "a much better passphrase"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.0 Mobile/15E148 Safari/604.1"
)


def change_password_through_ui(page):
    page.get_by_test_id("nav-account").click()
    form = page.get_by_test_id("password-form")
    form.locator('input[name="current_password"]').fill(PASSWORD)
    form.locator('input[name="new_password"]').fill(NEW_PASSWORD)
    form.locator('input[name="new_password_confirm"]').fill(NEW_PASSWORD)
    form.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("form-success")).to_be_visible()


def test_the_overview_shows_the_sign_in_and_the_password_change_as_activity(new_context, user, artifacts):
    # Repro: log in, change the password, open the overview: both are there, newest first,
    # with this device, its IP and the time with its zone; the token's details are folded away.
    page = new_context(timezone_id="UTC").new_page()
    log_in_through_ui(page)
    change_password_through_ui(page)
    page.get_by_test_id("nav-dashboard").click()

    rows = page.get_by_test_id("activity-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Password changed")
    expect(rows.nth(1)).to_contain_text("Signed in")
    for index in range(2):
        row = rows.nth(index)
        expect(row).to_contain_text("Headless Chrome on Linux")
        expect(row).to_contain_text("127.0.0.1")
        expect(row).to_contain_text(re.compile(r"\d{1,2}:\d\d [AP]M UTC"))
        expect(row).to_contain_text("This device")
    assert rows.nth(0).get_attribute("data-kind") == "password_changed"

    technical = page.get_by_test_id("technical-details")
    expect(page.get_by_test_id("token-countdown")).to_be_hidden()
    expect(page.get_by_text("Renew now")).to_have_count(0)
    screenshots(page, artifacts, "overview")
    technical.locator("summary").click()
    expect(page.get_by_test_id("token-countdown")).to_have_text(re.compile(r"\d:\d\d"))
    expect(technical).to_contain_text("Token ID")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(artifacts / "overview-technical-1280.png"), full_page=True)


def test_alarms_and_an_administrators_action_read_plainly_in_dark_mode(new_context, user, log_in, make_user,
                                                                      artifacts):
    # A reuse alarm stands out; an administrator's revocation shows neither their IP nor their browser.
    phone = log_in(HTTP_USER_AGENT=IPHONE, REMOTE_ADDR="198.51.100.7")
    replaced = phone.refresh_token
    assert phone.refresh().status_code == 200
    phone.client.cookies["refresh_token"] = replaced
    # The replaced token again, from another client: a reuse, and the session ends.
    stolen = phone.client.post("/api/auth/refresh/", HTTP_USER_AGENT="curl/8.5.0", REMOTE_ADDR="192.0.2.66")
    assert stolen.status_code == 401
    admin = make_user("root", is_staff=True, is_superuser=True)
    record_event(
        SecurityEventKind.SESSION_REVOKED, user=user, actor=admin, reason=RevocationReason.ADMIN_REVOKED,
        client=ClientInfo("192.0.2.250", "Mozilla/5.0 (Windows NT 10.0) Chrome/120.0.0.0 Safari/537.36"),
    )
    page = new_context(color_scheme="dark").new_page()
    log_in_through_ui(page)

    rows = page.get_by_test_id("activity-row")
    expect(rows).to_have_count(4)
    expect(rows.nth(1)).to_contain_text("Signed out by an administrator")
    expect(rows.nth(1)).not_to_contain_text("192.0.2.250")
    expect(rows.nth(1)).not_to_contain_text("Windows")
    expect(rows.nth(2)).to_contain_text("an old sign-in token of this session was used again")
    expect(rows.nth(2)).to_contain_text("192.0.2.66")
    expect(rows.nth(3)).to_contain_text("Safari on iOS")  # the server names the device (accounts/useragent.py)
    screenshots(page, artifacts, "overview-dark")


def test_older_activity_comes_with_show_older(page, user):
    from accounts.models import SecurityEvent, SecurityEventKind

    start = timezone.now() - timedelta(days=2)
    SecurityEvent.objects.bulk_create(
        SecurityEvent(kind=SecurityEventKind.REAUTHENTICATED, user=user, created_at=start + timedelta(minutes=i))
        for i in range(24)
    )
    log_in_through_ui(page)
    rows = page.get_by_test_id("activity-row")
    expect(rows).to_have_count(20)

    page.get_by_role("button", name="Show older activity").click()

    expect(rows).to_have_count(25)
    expect(page.get_by_role("button", name="Show older activity")).to_be_hidden()