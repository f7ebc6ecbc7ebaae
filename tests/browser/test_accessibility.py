"""axe-core (WCAG 2.1 A/AA and best practice) over every page of the app, light and dark.

Repro (issue 13, item 16): in light mode the muted text (#6b7287 on #f6f7fb,
4.47:1) of subtitles, footers, table headers and the staff list, and the
sign-up page's link told apart by colour alone; in dark mode the buttons'
text. A serious or critical finding anywhere fails, with the list printed.
"""
import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from accounts.models import RefreshSession
from tests.browser import accessibility
from tests.browser.conftest import log_in_through_ui
from tests.browser.test_admin_ui import log_in_to_admin, with_time_travel_past_grace

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148 Safari/604.1"


def check(page, found, label):
    found.extend(accessibility.violations(page, label=label))


def visit_signed_out(page, found, scheme):
    page.goto("/login")
    expect(page.get_by_test_id("login-form")).to_be_visible()
    check(page, found, f"login ({scheme})")

    page.get_by_test_id("login-form").locator('button[type="submit"]').click()
    expect(page.locator('[aria-invalid="true"]').first).to_be_visible()
    check(page, found, f"login with field errors ({scheme})")

    page.goto("/signup")
    expect(page.get_by_test_id("signup-form")).to_be_visible()
    check(page, found, f"signup ({scheme})")


def visit_signed_in(page, found, scheme):
    log_in_through_ui(page)
    expect(page.get_by_test_id("token-countdown")).to_have_text(re.compile(r"\d:\d\d"))
    check(page, found, f"overview ({scheme})")

    page.get_by_test_id("nav-sessions").click()
    expect(page.get_by_test_id("session-row")).to_have_count(2)
    check(page, found, f"sessions ({scheme})")

    page.locator('[data-testid="session-row"]:not(.is-current)').get_by_test_id("revoke-session").click()
    expect(page.locator("dialog[open]")).to_contain_text("Revoke this session?")
    check(page, found, f"sessions, revoke dialog ({scheme})")
    page.get_by_test_id("confirm-action").click()
    expect(page.get_by_test_id("toast")).to_be_visible()
    check(page, found, f"sessions, toast ({scheme})")

    page.get_by_test_id("nav-account").click()
    expect(page.get_by_test_id("password-form")).to_be_visible()
    check(page, found, f"account ({scheme})")

    page.get_by_test_id("nav-staff").click()
    expect(page.get_by_test_id("user-row")).to_have_count(2)
    check(page, found, f"staff ({scheme})")

    page.goto("/no-such-page")
    expect(page.get_by_test_id("page-title")).to_have_text("Page not found")
    check(page, found, f"not found ({scheme})")


def visit_forbidden(page, found, scheme):
    log_in_through_ui(page, "bob")
    page.goto("/staff")
    expect(page.get_by_test_id("page-title")).to_be_visible()
    expect(page.get_by_test_id("user-row")).to_have_count(0)
    check(page, found, f"staff, not staff ({scheme})")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_has_no_serious_accessibility_violation(new_context, make_user, log_in, scheme):
    # Repro: axe-core in Chromium found 21 serious nodes on 5 of 6 pages (light) and 4 on 3 (dark).
    alice = make_user("alice", is_staff=True)
    alice.user_permissions.add(Permission.objects.get(content_type__app_label="accounts", codename="view_user"))
    make_user("bob")
    log_in("alice", HTTP_USER_AGENT=PHONE)
    found = []

    visit_signed_out(new_context(color_scheme=scheme).new_page(), found, scheme)
    visit_signed_in(new_context(color_scheme=scheme).new_page(), found, scheme)
    visit_forbidden(new_context(color_scheme=scheme).new_page(), found, scheme)

    print(accessibility.report(found))
    assert accessibility.failing(found) == [], accessibility.report(accessibility.failing(found))


# Django's changelist search box is labelled by a magnifier icon only
# (admin/search_form.html): Django's template, not ours to change.
DJANGO_MARKUP = ("label-title-only",)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_admin_lists_have_no_serious_accessibility_violation(new_context, make_user, log_in, scheme):
    # Guards our part of the admin (columns, status icons, the reuse alarm, admin.css); axe found
    # only Django's search label (serious) and our status icons' redundant alt text (minor).
    make_user("root", is_staff=True, is_superuser=True)
    make_user("alice")
    log_in("alice", HTTP_USER_AGENT=PHONE, REMOTE_ADDR="198.51.100.23")
    laptop = log_in("alice")
    RefreshSession.objects.exclude(ip_address="198.51.100.23").update(last_ip_address="203.0.113.9")
    replaced = laptop.refresh_token
    laptop.refresh()
    laptop.client.cookies["refresh_token"] = replaced
    with_time_travel_past_grace(laptop)  # a reuse alarm on the sessions and events lists
    page = new_context(color_scheme=scheme, viewport={"width": 1366, "height": 768}).new_page()
    log_in_to_admin(page)
    found = []

    for path, name in [("/admin/accounts/user/", "users"), ("/admin/accounts/refreshsession/", "sessions"),
                       ("/admin/accounts/securityevent/", "security events")]:
        page.goto(path)
        expect(page.locator("#result_list")).to_be_visible()
        if name == "security events":
            expect(page.locator(".gatehouse-alarm").first).to_be_visible()
        found.extend(accessibility.violations(page, label=f"admin {name} ({scheme})", skip_rules=DJANGO_MARKUP))

    print(accessibility.report(found))
    assert accessibility.failing(found) == [], accessibility.report(accessibility.failing(found))
