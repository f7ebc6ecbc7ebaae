"""The sessions page stays current while it is open: "Last active" redrawn, the list asked for again."""
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import RefreshSession
from tests.browser.conftest import log_in_through_ui, screenshots


def test_last_active_and_the_list_stay_current_on_the_sessions_page(context, user, log_in, artifacts):
    # Repro: the sessions page showed "Last active just now" and the list as first loaded,
    # for as long as it stayed open.
    phone = log_in(REMOTE_ADDR="198.51.100.7")
    phone_session = RefreshSession.objects.get(ip_address="198.51.100.7")
    RefreshSession.objects.filter(pk=phone_session.pk).update(last_used_at=timezone.now() - timedelta(seconds=20))
    context.clock.install()
    page = context.new_page()
    log_in_through_ui(page, path="/sessions")
    other = page.locator(f'[data-testid="session-row"][data-session-id="{phone_session.pk}"]')
    expect(other.get_by_test_id("last-active")).to_have_text("just now")

    page.clock.fast_forward("00:31")  # the relative times are redrawn
    expect(other.get_by_test_id("last-active")).to_have_text("1 minute ago")

    phone.client.cookies["refresh_token"] = phone.refresh_token
    assert phone.client.post("/api/auth/refresh/", REMOTE_ADDR="203.0.113.20").status_code == 200
    log_in(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0")
    page.clock.fast_forward("00:30")  # a minute in: the list is asked for again, and updated in place
    expect(other).to_contain_text("203.0.113.20")
    expect(page.get_by_test_id("session-row")).to_have_count(3)
    screenshots(page, artifacts, "sessions-live")


def test_a_tab_shown_again_asks_for_the_sessions_again(page, user, log_in):
    log_in_through_ui(page, path="/sessions")
    expect(page.get_by_test_id("session-row")).to_have_count(1)
    log_in(REMOTE_ADDR="198.51.100.8")

    page.evaluate(
        """() => {
            for (const state of ['hidden', 'visible']) {
                Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
                document.dispatchEvent(new Event('visibilitychange'));
            }
        }"""
    )

    expect(page.get_by_test_id("session-row")).to_have_count(2)
