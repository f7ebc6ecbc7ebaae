"""The browser app, end to end: a person logging in and moving around."""
import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from accounts.models import RefreshSession, RevocationReason
from accounts.sessions import lifecycle
from tests.browser.conftest import log_in_through_ui, wait_until
from tests.conftest import PASSWORD

PAGES = {"/": "nav-dashboard", "/sessions": "nav-sessions", "/account": "nav-account", "/staff": "nav-staff"}


def requests_to(page, path):
    seen = []
    page.on("request", lambda request: path in request.url and seen.append(request.url))
    return seen


def overview_loaded(page):
    """The overview's own requests (this device, the activity) have been answered."""
    expect(page.get_by_test_id("activity-row")).to_have_count(1)
    expect(page.get_by_role("link", name="Manage sessions")).to_be_visible()


def test_wrong_password_shows_a_readable_error_and_no_session(page, user):
    page.goto("/")
    form = page.get_by_test_id("login-form")
    form.locator('input[name="username"]').fill("alice")
    form.locator('input[name="password"]').fill("not the password")
    form.locator('button[type="submit"]').click()

    expect(page.get_by_test_id("form-error")).to_contain_text(re.compile("username or password", re.I))
    expect(page.get_by_test_id("current-user")).to_have_count(0)
    assert page.evaluate("localStorage.getItem('access_token')") is None


def test_empty_login_form_shows_field_errors_without_calling_the_server(page, db):
    logins = requests_to(page, "/api/auth/login/")
    page.goto("/")
    page.get_by_test_id("login-form").locator('button[type="submit"]').click()

    expect(page.get_by_test_id("login-form")).to_contain_text(re.compile("required|enter", re.I))
    assert logins == []


def test_login_stores_the_raw_jwt_and_never_exposes_the_refresh_token(page, user):
    log_in_through_ui(page)

    token = page.evaluate("localStorage.getItem('access_token')")
    assert token.count(".") == 2
    assert "refresh_token" not in page.evaluate("document.cookie")
    cookie = next(c for c in page.context.cookies() if c["name"] == "refresh_token")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/api/auth/"


def test_after_login_the_user_lands_on_the_page_first_asked_for(page, user):
    page.goto("/sessions")
    expect(page.get_by_test_id("login-form")).to_be_visible()

    form = page.get_by_test_id("login-form")
    form.locator('input[name="username"]').fill("alice")
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').click()

    expect(page.get_by_test_id("session-row")).to_have_count(1)
    assert page.url.endswith("/sessions")


def test_deep_links_survive_a_reload(page, user):
    log_in_through_ui(page)
    page.goto("/account")
    page.reload()

    expect(page.get_by_test_id("current-user")).to_have_text("alice")
    expect(page.get_by_test_id("page-title")).to_have_text(re.compile("account", re.I))


def test_every_page_renders_for_staff_and_the_dashboard_screenshot_is_saved(page, make_user, artifacts):
    alice = make_user("alice", is_staff=True)
    # The staff page's user list needs the view permission, as the admin's does.
    alice.user_permissions.add(Permission.objects.get(content_type__app_label="accounts", codename="view_user"))
    log_in_through_ui(page)

    for path, nav in PAGES.items():
        page.get_by_test_id(nav).click()
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        expect(page.get_by_test_id("current-user")).to_have_text("alice")
    expect(page.get_by_test_id("user-row")).to_have_count(1)
    page.get_by_test_id("nav-dashboard").click()
    expect(page.get_by_test_id("token-countdown")).to_have_text(re.compile(r"\d:\d\d"))
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)


def test_staff_link_only_for_staff(new_context, make_user):
    make_user("alice")
    make_user("boss", is_staff=True)
    member, staff = new_context().new_page(), new_context().new_page()

    log_in_through_ui(member, "alice")
    log_in_through_ui(staff, "boss")

    expect(member.get_by_test_id("nav-staff")).to_have_count(0)
    expect(staff.get_by_test_id("nav-staff")).to_be_visible()
    member.goto("/staff")
    expect(member.get_by_test_id("user-row")).to_have_count(0)


def test_an_expired_access_token_is_refreshed_once_before_the_secured_request(context, user):
    context.clock.install()
    page = context.new_page()
    log_in_through_ui(page)
    calls = []
    page.on("request", lambda r: "/api/auth/" in r.url and calls.append(r.url.split("/api/auth/")[1]))

    page.clock.fast_forward("06:00")  # past the 5-minute access token lifetime
    page.get_by_test_id("nav-sessions").click()

    expect(page.get_by_test_id("session-row")).to_have_count(1)
    assert calls.count("refresh/") == 1
    assert calls.index("refresh/") < calls.index("sessions/")
    expect(page.get_by_test_id("current-user")).to_have_text("alice")


def test_two_tabs_expiring_together_both_stay_logged_in(context, user):
    context.clock.install()
    first = context.new_page()
    log_in_through_ui(first)
    second = context.new_page()
    second.goto("/")
    expect(second.get_by_test_id("current-user")).to_have_text("alice")

    first.clock.fast_forward("06:00")
    first.get_by_test_id("nav-sessions").click()
    second.get_by_test_id("nav-sessions").click()

    for tab in (first, second):
        expect(tab.get_by_test_id("session-row")).to_have_count(1)
        expect(tab.get_by_test_id("current-user")).to_have_text("alice")
    session = RefreshSession.objects.get()
    assert session.revoked_at is None and session.generation >= 1


def test_logout_in_one_tab_logs_out_the_other(context, user):
    first = context.new_page()
    log_in_through_ui(first)
    second = context.new_page()
    second.goto("/sessions")
    expect(second.get_by_test_id("session-row")).to_have_count(1)

    first.get_by_test_id("logout").click()

    expect(first.get_by_test_id("login-form")).to_be_visible()
    expect(second.get_by_test_id("login-form")).to_be_visible()
    # The app signs out locally first; its logout request may still be in flight.
    wait_until(
        lambda: RefreshSession.objects.get().revoked_reason == RevocationReason.LOGOUT, what="the logout to reach the server"
    )


def test_a_session_revoked_elsewhere_ends_in_the_login_page(page, user):
    log_in_through_ui(page)
    overview_loaded(page)

    lifecycle.revoke_user_sessions(user=user, reason=RevocationReason.ADMIN_REVOKED)
    page.get_by_test_id("nav-sessions").click()

    expect(page.get_by_test_id("login-form")).to_be_visible()
    assert page.evaluate("localStorage.getItem('access_token')") is None


def test_a_page_that_needs_no_request_still_ends_in_the_login_page_after_a_revocation(page, user):
    # Repro: revoke browser B's session from A, then click Account in B: the profile rendered from memory.
    log_in_through_ui(page)
    overview_loaded(page)  # else one of its requests may meet the revocation and end the session first
    lifecycle.revoke_user_sessions(user=user, reason=RevocationReason.USER_REVOKED)

    page.wait_for_timeout(5500)  # older than the app's recheck interval (5 s): a lower bound, not a race
    page.get_by_test_id("nav-account").click()

    expect(page.get_by_test_id("login-form")).to_be_visible()


def test_a_tab_shown_again_checks_its_session(page, user):
    log_in_through_ui(page)
    overview_loaded(page)
    lifecycle.revoke_user_sessions(user=user, reason=RevocationReason.USER_REVOKED)
    page.wait_for_timeout(5500)

    page.evaluate(
        "Object.defineProperty(document, 'visibilityState', {value: 'visible', configurable: true});"
        "document.dispatchEvent(new Event('visibilitychange'))"
    )

    expect(page.get_by_test_id("login-form")).to_be_visible()


def test_revoking_another_session_from_the_sessions_page(page, user, log_in, artifacts):
    phone = log_in(HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148 Safari/604.1")
    log_in_through_ui(page)
    page.get_by_test_id("nav-sessions").click()
    rows = page.get_by_test_id("session-row")
    expect(rows).to_have_count(2)

    other = page.locator('[data-testid="session-row"]:not(.is-current)')
    other.get_by_test_id("revoke-session").click()
    page.get_by_test_id("confirm-action").click()

    expect(rows).to_have_count(1)
    expect(page.get_by_test_id("toast")).to_be_visible()
    expect(page.get_by_test_id("toast")).to_contain_text("revoked")
    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(artifacts / f"toast-{width}.png"))
    assert phone.refresh().status_code == 401
    assert phone.get("/api/auth/me/").status_code == 401


def test_revoke_asks_first_and_cancel_changes_nothing(page, user, log_in, artifacts):
    # Repro: "Revoke" and "Log out everywhere" acted at the first click.
    phone = log_in(HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148 Safari/604.1")
    log_in_through_ui(page)
    page.get_by_test_id("nav-sessions").click()
    rows = page.get_by_test_id("session-row")
    expect(rows).to_have_count(2)

    page.locator('[data-testid="session-row"]:not(.is-current)').get_by_test_id("revoke-session").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("Revoke this session?")
    expect(page.get_by_test_id("cancel-action")).to_be_focused()
    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(artifacts / f"confirm-revoke-{width}.png"))
    page.get_by_test_id("cancel-action").click()
    expect(dialog).to_have_count(0)

    page.locator('[data-testid="session-row"]:not(.is-current)').get_by_test_id("revoke-session").click()
    page.keyboard.press("Escape")
    expect(page.locator("dialog[open]")).to_have_count(0)

    page.get_by_test_id("logout-all").click()
    page.get_by_test_id("cancel-action").click()

    expect(rows).to_have_count(2)
    assert phone.get("/api/auth/me/").status_code == 200


def test_log_out_everywhere(page, user, log_in):
    other = log_in()
    log_in_through_ui(page)
    page.get_by_test_id("nav-sessions").click()

    page.get_by_test_id("logout-all").click()
    page.get_by_test_id("confirm-action").click()

    expect(page.get_by_test_id("login-form")).to_be_visible()
    assert other.refresh().status_code == 401
    assert RefreshSession.objects.active().count() == 0


def test_password_change_shows_validation_then_succeeds_and_ends_other_sessions(page, user, log_in):
    other = log_in()
    log_in_through_ui(page)
    page.get_by_test_id("nav-account").click()
    form = page.get_by_test_id("password-form")

    form.locator('input[name="current_password"]').fill(PASSWORD)
    form.locator('input[name="new_password"]').fill("short")
    form.locator('input[name="new_password_confirm"]').fill("short")
    form.locator('button[type="submit"]').click()
    expect(form).to_contain_text(re.compile("too short", re.I))

    form.locator('input[name="new_password"]').fill("a much better passphrase")
    form.locator('input[name="new_password_confirm"]').fill("a much better passphrase")
    form.locator('button[type="submit"]').click()

    expect(page.get_by_test_id("form-success")).to_be_visible()
    assert other.refresh().status_code == 401
    user.refresh_from_db()
    assert user.check_password("a much better passphrase")


@pytest.mark.parametrize("name", ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>"])
def test_a_hostile_username_shows_as_text(page, make_user, name):
    make_user(name, email="x@example.com")
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message) or dialog.dismiss())

    log_in_through_ui(page, name)

    expect(page.get_by_test_id("current-user")).to_have_text(name)
    assert dialogs == []
    assert page.locator("img[src=x]").count() == 0


def test_sign_up_shows_server_validation_then_logs_the_new_user_in(page, user):
    page.goto("/signup")
    form = page.get_by_test_id("signup-form")
    form.locator('input[name="username"]').fill("alice")
    form.locator('input[name="email"]').fill("carol@example.com")
    form.locator('input[name="password"]').fill("a long enough passphrase")
    form.locator('input[name="password_confirm"]').fill("a long enough passphrase")
    form.locator('button[type="submit"]').click()
    expect(form).to_contain_text("That username is taken.")

    form.locator('input[name="username"]').fill("carol")
    form.locator('button[type="submit"]').click()

    expect(page.get_by_test_id("current-user")).to_have_text("carol")


def test_no_sign_up_when_the_server_disallows_it(page, db, settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "SIGNUP_ENABLED": False}

    page.goto("/signup")

    expect(page.get_by_test_id("login-form")).to_be_visible()
    expect(page.get_by_test_id("signup-form")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("create an account", re.I))).to_have_count(0)


def test_the_app_works_with_access_token_binding_on(page, user, settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "ACCESS_TOKEN_BINDING": "cookie"}

    log_in_through_ui(page)
    page.get_by_test_id("nav-sessions").click()

    expect(page.get_by_test_id("session-row")).to_have_count(1)
    assert any(c["name"] == "access_binding" and c["httpOnly"] for c in page.context.cookies())


def test_sign_up_checks_the_form_before_asking_the_server(page, db):
    registrations = requests_to(page, "/api/auth/register/")
    page.goto("/signup")
    form = page.get_by_test_id("signup-form")
    form.locator('input[name="username"]').fill("carol")
    form.locator('input[name="email"]').fill("not-an-email")
    form.locator('input[name="password"]').fill("a long enough passphrase")
    form.locator('input[name="password_confirm"]').fill("another passphrase")
    form.locator('button[type="submit"]').click()

    expect(page.get_by_test_id("form-error")).to_have_text("Please correct the highlighted fields.")
    expect(form).to_contain_text("Enter a valid email address.")
    expect(form).to_contain_text("The passwords don’t match.")
    expect(form.locator('input[name="email"]')).to_be_focused()
    assert registrations == []


def test_keep_me_signed_in_is_checked_by_default_and_unchecked_gives_a_browser_session_cookie(page, user, artifacts):
    page.goto("/login")
    remember = page.get_by_test_id("remember-me")
    expect(remember).to_be_checked()
    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(artifacts / f"login-{width}.png"))

    remember.uncheck()
    form = page.get_by_test_id("login-form")
    form.locator('input[name="username"]').fill("alice")
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("current-user")).to_have_text("alice")

    refresh = next(c for c in page.context.cookies() if c["name"] == "refresh_token")
    assert refresh["expires"] == -1  # no Max-Age/Expires: gone when the browser closes
    assert refresh["httpOnly"] and refresh["sameSite"] == "Strict"


def test_an_old_authentication_asks_for_the_password_then_retries_the_change(page, user, settings, artifacts):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "REAUTH_MAX_AGE": 1}
    log_in_through_ui(page)
    page.get_by_test_id("nav-account").click()
    page.wait_for_timeout(2500)  # the login is now older than REAUTH_MAX_AGE: a lower bound, not a race
    form = page.get_by_test_id("password-form")
    form.locator('input[name="current_password"]').fill(PASSWORD)
    form.locator('input[name="new_password"]').fill("a much better passphrase")
    form.locator('input[name="new_password_confirm"]').fill("a much better passphrase")
    form.locator('button[type="submit"]').click()

    dialog = page.get_by_test_id("reauth-form")
    expect(dialog).to_be_visible()
    # Refused as old: from here on a fresh authentication must count as recent however slow the machine.
    settings.GATEHOUSE = {**settings.GATEHOUSE, "REAUTH_MAX_AGE": 300}
    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(artifacts / f"reauth-{width}.png"))
    dialog.locator('input[name="password"]').fill("not my password")
    dialog.locator('button[type="submit"]').click()
    expect(dialog).to_contain_text("Your password is not correct.")
    dialog.locator('input[name="password"]').fill(PASSWORD)
    dialog.locator('button[type="submit"]').click()

    expect(page.get_by_test_id("form-success")).to_be_visible()
    user.refresh_from_db()
    assert user.check_password("a much better passphrase")


def test_after_an_outage_the_app_recovers_by_itself_when_the_browser_is_back_online(page, user):
    # Repro: the banner counted down five retries, said "we'll try again", and never did.
    log_in_through_ui(page)
    expired = page.evaluate(
        """() => {
          const [head, body] = localStorage.getItem('access_token').split('.');
          const claims = JSON.parse(atob(body.replace(/-/g, '+').replace(/_/g, '/')));
          claims.exp = Math.floor(Date.now() / 1000) - 60;
          const encoded = btoa(JSON.stringify(claims)).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
          return `${head}.${encoded}.x`;
        }"""
    )
    page.evaluate("(token) => localStorage.setItem('access_token', token)", expired)
    page.route("**/api/auth/refresh/", lambda route: route.abort())  # the server is unreachable

    page.get_by_test_id("nav-sessions").click()
    banner = page.locator("#status-banner")
    expect(banner).to_contain_text("Connection problem")

    page.unroute("**/api/auth/refresh/")
    page.evaluate("window.dispatchEvent(new Event('online'))")

    expect(page.get_by_test_id("session-row")).to_have_count(1)
    expect(banner).to_be_hidden()
