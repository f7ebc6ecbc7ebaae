"""Login's "keep me signed in" (`remember`): a persistent cookie, or one that ends with the browser."""
import pytest
import time_machine
from django.utils import timezone

from accounts import conf
from accounts.models import RefreshSession
from tests.conftest import LoggedIn, login

pytestmark = pytest.mark.django_db


def test_by_default_the_refresh_cookie_outlives_the_browser(client, user):
    response = login(client)

    cookie = response.cookies[conf.cookie_name()]
    assert int(cookie["max-age"]) > 7 * 24 * 3600 - 60
    assert RefreshSession.objects.get().persistent is True


def test_unchecked_the_cookie_is_a_browser_session_cookie_and_the_session_short(client, user, settings):
    response = login(client, remember=False)

    assert response.status_code == 200
    cookie = response.cookies[conf.cookie_name()]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    session = RefreshSession.objects.get()
    limit = session.absolute_expires_at - session.created_at
    assert limit.total_seconds() == settings.GATEHOUSE["REFRESH_TOKEN_SHORT_TTL"] == 43200


def test_a_rotated_cookie_stays_a_browser_session_cookie(client, user):
    device = LoggedIn(client, login(client, remember=False))

    response = device.refresh()

    assert response.status_code == 200
    assert response.cookies[conf.cookie_name()]["max-age"] == ""


def test_a_short_session_ends_at_its_short_limit_however_often_it_is_used(client, user, settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "REFRESH_TOKEN_SHORT_TTL": 3600}
    with time_machine.travel(timezone.now(), tick=False) as clock:
        device = LoggedIn(client, login(client, remember=False))
        for _ in range(3):
            clock.shift(1000)
            assert device.refresh().status_code == 200
        clock.shift(700)  # 3,700 s after login

        assert device.refresh().status_code == 401


def test_remember_must_be_a_boolean(client, user):
    response = login(client, remember="perhaps")

    assert response.status_code == 400
    assert "remember" in response.json()["fields"]
