"""The grace window answers only the client that did the last rotation (same user agent, same IPv4 or IPv6 /64)."""
import pytest
from rest_framework.test import APIClient

from accounts.models import RefreshSession, RevocationReason, SecurityEvent, SecurityEventKind
from tests.conftest import LoggedIn, login
from tests.sessions.test_refresh import assert_refresh_refused

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
OTHER_BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


def refresh_from(token, *, ip, user_agent=BROWSER):
    """POST /api/auth/refresh/ with ``token`` from a client at ``ip`` with ``user_agent``."""
    device = APIClient()
    device.cookies["refresh_token"] = token
    return device.post("/api/auth/refresh/", REMOTE_ADDR=ip, HTTP_USER_AGENT=user_agent)


def rotated_once(user, *, ip, user_agent=BROWSER):
    """Log in and rotate once from one client: (the token just replaced, the current token)."""
    device = APIClient()
    device.defaults.update(REMOTE_ADDR=ip, HTTP_USER_AGENT=user_agent)
    session = LoggedIn(device, login(device))
    first = session.refresh_token
    assert session.refresh().status_code == 200
    return first, session.refresh_token


def assert_answered_with(response, current):
    assert response.status_code == 200
    assert response.cookies["refresh_token"].value == current
    session = RefreshSession.objects.get()
    assert session.generation == 1 and session.revoked_at is None  # chain not advanced, session alive
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.REUSE_DETECTED).exists()


def assert_reuse(response, *, ip, user_agent=BROWSER):
    assert_refresh_refused(response)
    session = RefreshSession.objects.get()
    assert session.revoked_reason == RevocationReason.REUSE_DETECTED
    event = SecurityEvent.objects.get(kind=SecurityEventKind.REUSE_DETECTED)
    assert event.session_id == session.id
    assert (event.ip_address, event.user_agent) == (ip, user_agent)  # who presented it


def test_same_user_agent_and_ipv4_within_grace_gets_the_current_token_and_is_counted(user):
    # repro: rotate from 203.0.113.5/Firefox, present the replaced token again from the same client within 10 s
    first, current = rotated_once(user, ip="203.0.113.5")

    response = refresh_from(first, ip="203.0.113.5")

    assert_answered_with(response, current)
    session = RefreshSession.objects.get()
    assert session.grace_answers == 1 and session.last_grace_at is not None
    assert session.last_grace_at >= session.rotated_at
    assert refresh_from(first, ip="203.0.113.5").status_code == 200
    assert RefreshSession.objects.get().grace_answers == 2


def test_same_user_agent_from_another_ipv4_within_grace_is_reuse(user):
    # repro: rotate from 203.0.113.5, present the replaced token from 203.0.113.6 within 10 s -> got the current token
    first, current = rotated_once(user, ip="203.0.113.5")

    response = refresh_from(first, ip="203.0.113.6")

    assert_reuse(response, ip="203.0.113.6")
    assert_refresh_refused(refresh_from(current, ip="203.0.113.5"))  # the current token dies with its family
    assert RefreshSession.objects.get().grace_answers == 0


def test_another_user_agent_from_the_same_ip_within_grace_is_reuse(user):
    # repro: rotate with Firefox, present the replaced token with Chrome from the same IP within 10 s
    first, _ = rotated_once(user, ip="203.0.113.5")

    response = refresh_from(first, ip="203.0.113.5", user_agent=OTHER_BROWSER)

    assert_reuse(response, ip="203.0.113.5", user_agent=OTHER_BROWSER)


def test_another_address_in_the_same_ipv6_64_within_grace_is_answered(user):
    # repro: rotate from 2001:db8:1:2::5, present the replaced token from 2001:db8:1:2::99 (same /64)
    first, current = rotated_once(user, ip="2001:db8:1:2::5")

    response = refresh_from(first, ip="2001:db8:1:2:aaaa:bbbb:cccc:99")

    assert_answered_with(response, current)
    assert RefreshSession.objects.get().grace_answers == 1


def test_another_ipv6_64_within_grace_is_reuse(user):
    # repro: rotate from 2001:db8:1:2::5, present the replaced token from 2001:db8:1:3::5 (another /64)
    first, _ = rotated_once(user, ip="2001:db8:1:2::5")

    response = refresh_from(first, ip="2001:db8:1:3::5")

    assert_reuse(response, ip="2001:db8:1:3::5")


def test_the_client_that_rotated_counts_not_the_one_that_logged_in(user):
    # repro: log in from 203.0.113.5, rotate from 198.51.100.7 (the network changed), replay from 203.0.113.5
    device = APIClient()
    device.defaults.update(REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT=BROWSER)
    session = LoggedIn(device, login(device))
    first = session.refresh_token
    device.defaults.update(REMOTE_ADDR="198.51.100.7")
    assert session.refresh().status_code == 200
    current = session.refresh_token

    assert_answered_with(refresh_from(first, ip="198.51.100.7"), current)
    assert_reuse(refresh_from(first, ip="203.0.113.5"), ip="203.0.113.5")


def test_the_rotating_client_is_stored_as_a_keyed_digest_not_as_text(user):
    # repro: the session row must say who rotated without holding the user agent or address a second time
    rotated_once(user, ip="203.0.113.5")

    stored = RefreshSession.objects.get().rotated_by_client
    assert len(stored) == 64 and BROWSER not in stored and "203.0.113" not in stored


def test_the_session_admin_page_shows_the_grace_answers_and_not_the_client_digest(user, make_user):
    # repro: an administrator looking into a session could not see that the grace window answered it
    from django.test import Client

    first, _ = rotated_once(user, ip="203.0.113.5")
    refresh_from(first, ip="203.0.113.5")
    session = RefreshSession.objects.get()
    admin = Client()
    admin.force_login(make_user("root", is_staff=True, is_superuser=True))

    html = admin.get(f"/admin/accounts/refreshsession/{session.pk}/change/").content.decode()

    assert "Grace answers" in html and "Last grace at" in html
    assert session.rotated_by_client not in html
