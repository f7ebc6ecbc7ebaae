"""The Django admin's own sessions: useless to a database reader, idle-limited, ended with their user.

Admins log in through ``/admin/login/`` as a browser does; what the cookie
opens is checked by requesting ``/admin/`` (200 when signed in, a redirect to
the login page otherwise).
"""
import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.admin.session_store import SessionStore
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def root(make_user):
    return make_user("root", is_staff=True, is_superuser=True)


def admin_browser(username="root", password=PASSWORD):
    browser = Client()
    response = browser.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/", response.content
    return browser


def cookie_of(browser):
    return browser.cookies[settings.SESSION_COOKIE_NAME].value


def browser_with_cookie(value):
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = value
    return browser


def signed_in(browser):
    response = browser.get("/admin/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), response
    return False


# --- at rest: the table holds a digest, never the cookie ---------------------------


def test_the_session_table_holds_a_digest_of_the_cookie_and_the_digest_opens_nothing(root):
    # Repro: with a read-only copy of the database, `Cookie: sessionid=<session_key
    # of a django_session row>` opened /admin/ as the superuser.
    browser = admin_browser()
    (row,) = Session.objects.all()

    assert row.session_key != cookie_of(browser)
    assert cookie_of(browser) not in row.session_data
    assert len(row.session_key) == 40
    assert not signed_in(browser_with_cookie(row.session_key))
    assert signed_in(browser)
    assert Session.objects.get().session_key == row.session_key  # the failed attempt wrote nothing


def test_the_store_keys_every_operation_by_the_digest(db):
    store = SessionStore()
    store["answer"] = 42
    store.save()
    first = store.session_key
    (row,) = Session.objects.all()
    assert row.session_key == SessionStore.stored_key(first) != first
    assert store.exists(first) and not store.exists(row.session_key)
    assert SessionStore(first)["answer"] == 42
    assert SessionStore(row.session_key).load() == {}

    store.cycle_key()

    assert store.session_key != first
    assert not store.exists(first)
    assert Session.objects.get().session_key == SessionStore.stored_key(store.session_key)
    assert SessionStore(store.session_key)["answer"] == 42

    store.delete()

    assert not Session.objects.exists()


def test_logging_out_of_the_admin_ends_the_session(root):
    browser = admin_browser()
    cookie = cookie_of(browser)

    assert browser.post("/admin/logout/").status_code == 200

    assert not Session.objects.exists()
    assert not signed_in(browser_with_cookie(cookie))


# --- idle limit ----------------------------------------------------------------------


def test_the_idle_limit_is_admin_session_idle_ttl():
    assert settings.SESSION_COOKIE_AGE == settings.GATEHOUSE["ADMIN_SESSION_IDLE_TTL"] == 7200


def test_an_admin_session_unused_longer_than_the_idle_limit_is_refused(root):
    # Repro: an admin session stayed valid for two weeks (SESSION_COOKIE_AGE's
    # default), however long it went unused.
    ttl = settings.SESSION_COOKIE_AGE
    with time_machine.travel(time.time(), tick=False) as clock:
        browser = admin_browser()
        cookie = cookie_of(browser)

        clock.shift(ttl + 1)

        assert not signed_in(browser_with_cookie(cookie))  # the server refuses it, whatever the browser keeps
        assert not signed_in(browser)


def test_an_admin_session_in_use_outlives_the_idle_limit(root):
    ttl = settings.SESSION_COOKIE_AGE
    with time_machine.travel(time.time(), tick=False) as clock:
        browser = admin_browser()
        for _ in range(3):
            clock.shift(ttl - 60)
            assert signed_in(browser)
        assert Session.objects.get().expire_date == timezone.now() + timedelta(seconds=ttl)

        clock.shift(ttl + 1)

        assert not signed_in(browser)


def test_requests_outside_the_admin_neither_extend_nor_create_admin_sessions(root, client):
    ttl = settings.SESSION_COOKIE_AGE
    with time_machine.travel(time.time(), tick=False) as clock:
        browser = admin_browser()
        clock.shift(ttl - 60)
        for path in ("/api/health/", "/", "/api/auth/me/"):
            browser.get(path)
        browser_with_cookie("not-a-session-key-at-all-123456").get("/api/health/")
        assert Session.objects.count() == 1  # a made-up cookie wrote no row

        clock.shift(120)

        assert not signed_in(browser)  # those requests did not count as use


# --- ended with the password and with the user -------------------------------------


def test_a_password_set_elsewhere_ends_the_admin_session(root):
    browser = admin_browser()
    cookie = cookie_of(browser)
    user = User.objects.get(pk=root.pk)  # another process: the user loaded afresh

    user.set_password("a new and different passphrase")
    user.save()

    assert not signed_in(browser)
    assert not signed_in(browser_with_cookie(cookie))


@pytest.mark.parametrize("how", ["save", "update"])
def test_deactivating_a_staff_user_ends_their_admin_session_for_good(root, how):
    browser = admin_browser()
    cookie = cookie_of(browser)

    if how == "save":
        root.is_active = False
        root.save()
    else:
        User.objects.filter(pk=root.pk).update(is_active=False)

    assert not signed_in(browser)
    User.objects.filter(pk=root.pk).update(is_active=True)
    # Reactivated: the old session does not come back.
    assert not signed_in(browser_with_cookie(cookie))
    assert not Session.objects.exists()
