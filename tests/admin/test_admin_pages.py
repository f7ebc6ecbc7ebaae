"""The admin's pages: one way to write a date, a favicon, confirmation before the actions that take over."""
import re

import pytest

from accounts.models import RefreshSession
from tests.admin.test_admin import EVENTS, SESSIONS, USERS, browser_for, run_action, superuser  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

ONE_FORMAT = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:<br>|</span><br>| )\d{2}:\d{2} UTC\b")
OTHER_FORMATS = re.compile(r"\b(?:a\.m\.|p\.m\.|Jan\.|Feb\.|Dec\.|\d{1,2}/\d{1,2}/\d{4})")


def test_favicon_is_served_not_a_404(client):
    # Repro (issue 19, item 14): /favicon.ico was a 404 on every admin page.
    response = client.get("/favicon.ico")

    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_dates_are_written_one_way_across_the_admin(superuser, make_user, log_in):  # noqa: F811
    # Repro (issue 19, item 14): "Dec. 7, 2026, 2:17 a.m." beside "12/07/2026 2:17 a.m." and "2026-12-07 02:17 UTC".
    make_user("alice")
    log_in("alice")
    session = RefreshSession.objects.get()
    with_dates = [SESSIONS, EVENTS, f"{SESSIONS}{session.pk}/change/", f"{USERS}{session.user_id}/change/"]

    for url in [USERS, *with_dates]:
        html = superuser.get(url).content.decode()
        assert ONE_FORMAT.search(html) or url not in with_dates, url
        assert not OTHER_FORMATS.search(html), (url, OTHER_FORMATS.search(html).group(0))


def test_the_sessions_list_shows_the_device_label_not_the_raw_user_agent(superuser, make_user, log_in):  # noqa: F811
    # Repro (issue 19, item 14): the Sessions list showed raw user agents.
    make_user("alice")
    headless = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36"
    log_in("alice", HTTP_USER_AGENT=headless)

    html = superuser.get(SESSIONS).content.decode()

    assert ">Headless Chrome on Linux</span>" in html
    assert f'title="{headless}"' in html  # the raw string on hover


def test_deactivate_and_revoke_asks_first(superuser, make_user, log_in):  # noqa: F811
    # Repro (issue 19, item 14): the action ran at once, with no confirmation page.
    alice = make_user("alice")
    device = log_in("alice")

    asked = run_action(superuser, USERS, "deactivate_and_revoke_sessions", [alice.pk])

    page = asked.content.decode()
    assert "Deactivate the selected users" in page and 'name="post" value="yes"' in page and "alice" in page
    alice.refresh_from_db()
    assert alice.is_active and device.get("/api/auth/me/").status_code == 200

    run_action(superuser, USERS, "deactivate_and_revoke_sessions", [alice.pk], confirm=True)

    alice.refresh_from_db()
    assert not alice.is_active and device.get("/api/auth/me/").status_code == 401


def test_the_users_list_leaves_room_for_gatehouses_own_columns(superuser):  # noqa: F811
    # Repro (issue 19, item 14): at 1280 and 1366 px Active sessions, Passkeys and 2FA were off to the right.
    html = superuser.get(USERS).content.decode()

    for column in ("column-two_factor", "column-active_sessions", "column-passkey_count"):
        assert column in html
    assert "column-first_name" not in html and "column-last_name" not in html
