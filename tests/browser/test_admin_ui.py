"""An administrator in a real browser: find a user's session, revoke it, see it revoked."""
import re
from datetime import timedelta

import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import RefreshSession, RevocationReason
from tests.conftest import PASSWORD


def log_in_to_admin(page, username="root"):
    page.goto("/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()


def test_an_admin_finds_a_users_session_and_revokes_it(page, make_user, log_in):
    make_user("root", is_staff=True, is_superuser=True)
    make_user("alice")
    phone = log_in("alice", HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Mobile Safari", REMOTE_ADDR="198.51.100.23")

    log_in_to_admin(page)
    page.locator("#content-main").get_by_role("link", name="Sessions", exact=True).click()
    page.fill("#searchbar", "alice")
    page.press("#searchbar", "Enter")
    row = page.locator("#result_list tbody tr").filter(has_text="alice")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("198.51.100.23")
    expect(row).to_contain_text("Active")

    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "revoke_selected_sessions")
    page.click("button[name=index]")

    expect(page.locator(".messagelist")).to_contain_text("Revoked 1 session")
    expect(page.locator("#result_list tbody tr").filter(has_text="alice")).to_contain_text(
        re.compile("Revoked \\(Revoked by an administrator\\)")
    )
    assert RefreshSession.objects.get().revoked_reason == RevocationReason.ADMIN_REVOKED
    assert phone.refresh().status_code == 401
    assert phone.get("/api/auth/me/").status_code == 401


def test_admin_pages_render_without_csp_violations_even_with_a_reuse_alarm(page, make_user, log_in):
    make_user("root", is_staff=True, is_superuser=True)
    alice = make_user("alice")
    device = log_in("alice")
    replaced = device.refresh_token
    device.refresh()
    device.client.cookies["refresh_token"] = replaced
    with_time_travel_past_grace(device)

    log_in_to_admin(page)
    for path in ["/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{alice.pk}/change/",
                 "/admin/accounts/refreshsession/", "/admin/accounts/securityevent/"]:
        response = page.goto(path)
        assert response.status == 200, path
    expect(page.locator(".gatehouse-alarm")).to_contain_text("reuse detected")


def with_time_travel_past_grace(device):
    """Replay the replaced token after the grace window: a reuse alarm."""
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        assert device.client.post("/api/auth/refresh/").status_code == 401


def test_an_admin_sees_a_users_factors_and_resets_two_step_sign_in(page, make_user, artifacts):
    # repro: a user who lost their phone is helped from the admin; the page shows dates and counts, no secret
    import pyotp

    from accounts.limits.net import ClientInfo
    from accounts.mfa import totp

    make_user("root", is_staff=True, is_superuser=True)
    alice = make_user("alice")
    secret = totp.begin_enrolment(user=alice).secret
    totp.confirm_enrolment(user=alice, code=pyotp.TOTP(secret).now(), client=ClientInfo("127.0.0.1", "setup"))

    log_in_to_admin(page)
    page.goto(f"/admin/accounts/user/{alice.pk}/change/")
    factors = page.locator(".gatehouse-factors")
    expect(factors).to_contain_text("Authenticator app")
    expect(factors).to_contain_text("10 of 10 unused")
    assert secret not in page.content()
    factors.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "admin-user-factors.png"))

    page.goto("/admin/accounts/user/")
    row = page.locator("#result_list tbody tr").filter(has_text="alice")
    expect(row.locator("td.field-two_factor img[alt=True]")).to_have_count(1)  # the 2FA column
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "reset_two_step_sign_in")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("Reset two-step sign-in of 1 user.")
    alice.refresh_from_db()
    assert not alice.mfa_enabled
