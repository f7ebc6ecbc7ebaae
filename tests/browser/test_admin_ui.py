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


LONG_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    " Edg/131.0.2903.86",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0"
    " Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Linux; Android 14; SM-S928B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Version/4.0 Chrome/131.0.6778.39 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/490.0.0.50.81;]",
]
TABLE_WIDTHS = """() => {
  const table = document.querySelector('#result_list');
  return {
    table: table.scrollWidth,
    container: table.closest('.results').clientWidth,
    document: document.documentElement.scrollWidth,
  };
}"""


def test_the_sessions_changelist_fits_1366_pixels_without_horizontal_scroll(new_context, make_user, log_in, artifacts):
    # Repro: at 1366x768 the sessions changelist was 1468 px wide in its 717 px area (nine columns, long agents).
    make_user("root", is_staff=True, is_superuser=True)
    name = "margaret.hamilton.apollo.guidance"
    make_user(name, email="margaret.hamilton.apollo.guidance@example.org")
    for agent in LONG_AGENTS:
        log_in(name, HTTP_USER_AGENT=agent, REMOTE_ADDR="2001:db8:85a3:1234:5678:8a2e:370:7334")
    sessions = RefreshSession.objects.order_by("created_at")
    RefreshSession.objects.filter(pk=sessions[0].pk).update(last_ip_address="2001:db8:ffff:4321:8765:8a2e:370:1")
    RefreshSession.objects.filter(pk=sessions[1].pk).update(
        revoked_at=timezone.now(), revoked_reason=RevocationReason.REUSE_DETECTED
    )

    page = new_context(viewport={"width": 1366, "height": 768}).new_page()
    log_in_to_admin(page)
    page.goto("/admin/accounts/refreshsession/")
    expect(page.locator("#result_list tbody tr")).to_have_count(len(LONG_AGENTS))
    page.screenshot(path=str(artifacts / "admin-sessions-1366.png"), full_page=True)

    widths = page.evaluate(TABLE_WIDTHS)
    assert widths["table"] <= widths["container"], widths
    assert widths["document"] <= 1366, widths


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
    expect(page.locator("h1")).to_have_text("Reset two-step sign-in")  # the confirmation page
    alice.refresh_from_db()
    assert alice.mfa_enabled
    page.screenshot(path=str(artifacts / "admin-confirm-reset.png"), full_page=True)
    page.get_by_role("button", name="Yes, I’m sure").click()
    expect(page.locator(".messagelist")).to_contain_text("Reset two-step sign-in of 1 user.")
    alice.refresh_from_db()
    assert not alice.mfa_enabled


def test_the_users_and_events_lists_show_every_column_at_1280_and_1366_pixels(new_context, make_user, log_in, artifacts):
    # Repro (issue 19, item 14): Active sessions, Passkeys and 2FA were off to the right; Security events was
    # 1042 px wide in its area, with rows of every height.
    make_user("root", is_staff=True, is_superuser=True)
    name = "margaret.hamilton.apollo.guidance"
    make_user(name, email="margaret.hamilton.apollo.guidance@example.org", first_name="Margaret", last_name="Hamilton")
    for agent in LONG_AGENTS:
        log_in(name, HTTP_USER_AGENT=agent, REMOTE_ADDR="2001:db8:85a3:1234:5678:8a2e:370:7334")

    for width in (1280, 1366):
        page = new_context(viewport={"width": width, "height": 800}).new_page()
        log_in_to_admin(page)
        for url, name_ in (("/admin/accounts/user/", "users"), ("/admin/accounts/securityevent/", "events")):
            page.goto(url)
            page.screenshot(path=str(artifacts / f"admin-{name_}-{width}.png"), full_page=True)
            widths = page.evaluate(TABLE_WIDTHS)
            assert widths["table"] <= widths["container"], (url, width, widths)
            assert widths["document"] <= width, (url, width, widths)
        page.goto("/admin/accounts/user/")
        for column in ("2FA", "Active sessions", "Passkeys"):
            header = page.locator("#result_list thead th").filter(has_text=re.compile(column, re.IGNORECASE))
            expect(header).to_be_in_viewport()
