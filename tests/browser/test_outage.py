"""A page that failed to load during an outage shows its data once the server answers, without a reload."""
from playwright.sync_api import expect

from tests.browser.conftest import log_in_through_ui

SESSIONS_API = "**/api/auth/sessions/"


def load_error(page):
    """Where a page says it could not load (data-testid="load-error")."""
    return page.locator(".state-error")


def test_sessions_opened_during_an_outage_show_up_once_the_server_answers(page, user):
    # Repro (issue 19, item 10b): log in, stop the server, open Sessions: "Couldn't load this … Try again";
    # start the server again: 40 s later the page still showed the error (no `offline` event, nothing retried).
    log_in_through_ui(page)
    page.route(SESSIONS_API, lambda route: route.abort("connectionrefused"))

    page.get_by_test_id("nav-sessions").click()
    expect(load_error(page)).to_contain_text("can’t be reached")
    expect(page.get_by_test_id("session-row")).to_have_count(0)

    page.unroute(SESSIONS_API)

    expect(page.get_by_test_id("session-row")).to_have_count(1, timeout=45_000)
    expect(load_error(page)).to_have_count(0)


def test_back_online_the_page_asks_at_once(page, user):
    log_in_through_ui(page)
    page.route(SESSIONS_API, lambda route: route.abort("internetdisconnected"))
    page.get_by_test_id("nav-sessions").click()
    expect(load_error(page)).to_be_visible()
    # Let the backoff grow past what the bound below allows for: 1 + 2 + 4 s of failures, the next wait 8 s.
    for attempt in range(3):
        with page.expect_request(lambda request: request.url.endswith("/api/auth/sessions/")):
            pass

    page.unroute(SESSIONS_API)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")

    expect(page.get_by_test_id("session-row")).to_have_count(1, timeout=5_000)


def test_a_reload_during_an_outage_shows_the_page_once_the_server_answers(page, user):
    # The same outage met at start (the page reloaded while the server was down): "Something's not right" stayed.
    log_in_through_ui(page, path="/sessions")
    page.route("**/api/auth/me/", lambda route: route.abort("connectionrefused"))
    page.reload()
    expect(load_error(page)).to_contain_text("can’t be reached")

    page.unroute("**/api/auth/me/")

    expect(page.get_by_test_id("session-row")).to_have_count(1, timeout=45_000)
    expect(page.get_by_test_id("current-user")).to_have_text("alice")


def test_the_staff_page_and_the_account_page_retry_their_lists_too(page, make_user):
    from django.contrib.auth.models import Permission

    alice = make_user("alice", is_staff=True)
    alice.user_permissions.add(Permission.objects.get(content_type__app_label="accounts", codename="view_user"))
    log_in_through_ui(page)
    page.route("**/api/auth/users/", lambda route: route.abort("connectionrefused"))
    page.route("**/api/auth/tokens/", lambda route: route.abort("connectionrefused"))
    page.get_by_test_id("nav-staff").click()
    expect(load_error(page)).to_be_visible()
    page.unroute("**/api/auth/users/")
    expect(page.get_by_test_id("user-row")).to_have_count(1, timeout=45_000)

    page.get_by_test_id("nav-account").click()
    expect(page.get_by_test_id("tokens-section").locator(".state-error")).to_be_visible()
    page.unroute("**/api/auth/tokens/")
    expect(page.get_by_test_id("tokens-empty")).to_be_visible(timeout=45_000)
