"""Faults: a database that stops answering, a Redis that is down."""
import logging

import pytest
from django.db import OperationalError, connection

from accounts.models import RefreshSession
from accounts.sessions import hotpath
from tests.conftest import login

pytestmark = pytest.mark.django_db


class RefusingDriverCursor:
    """A driver cursor on a dead server: the driver's own error, which Django must translate."""

    def execute(self, *args, **kwargs):
        raise connection.Database.OperationalError("could not connect to server: Connection refused")

    def close(self):
        pass


@pytest.fixture
def database_down(monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    def take_down():
        monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", unreachable)
        # The session query also runs straight on the driver (hotpath._NativeSelect).
        driver = hotpath._statements("default").live_session_user.driver
        monkeypatch.setattr(driver, "cursor", lambda driver_connection: RefusingDriverCursor())

    return take_down


@pytest.mark.parametrize(
    "method, path",
    [("get", "/api/health/"), ("get", "/api/auth/me/"), ("get", "/api/auth/sessions/"),
     ("post", "/api/auth/logout-all/"), ("get", "/api/auth/users/")],
)
def test_api_answers_503_json_when_the_database_is_down(logged_in, database_down, method, path):
    database_down()

    response = getattr(logged_in, method)(path)

    assert response.status_code == 503
    assert response.json() == {
        "detail": "The service is temporarily unavailable. Try again shortly.", "code": "service_unavailable",
    }
    assert response["Retry-After"]


def test_login_answers_503_when_the_database_is_down(client, user, database_down):
    database_down()

    response = login(client)

    assert response.status_code == 503
    assert "refresh_token" not in response.cookies


def test_a_login_that_fails_after_its_session_was_written_leaves_no_session(client, user, monkeypatch):
    """Repro: the database dropped between ``start_session`` (committed) and ``note_login``: the login answered
    503 but left a live session and a ``login_succeeded`` event."""
    from accounts.devices import detection
    from accounts.models import SecurityEvent, SecurityEventKind

    def dropped(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(detection, "note_login", dropped)

    response = login(client)

    assert response.status_code == 503
    assert "refresh_token" not in response.cookies
    assert not RefreshSession.objects.exists()
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_SUCCEEDED).exists()
    user.refresh_from_db()
    assert user.last_login is None


def test_refresh_interrupted_by_a_database_error_leaves_the_session_as_it_was(logged_in, monkeypatch):
    before = RefreshSession.objects.values().get()
    original_save = hotpath.save_rotation

    def failing_save(*args, **kwargs):
        original_save(*args, **kwargs)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(hotpath, "save_rotation", failing_save)
    assert logged_in.refresh().status_code == 503
    monkeypatch.setattr(hotpath, "save_rotation", original_save)

    assert RefreshSession.objects.values().get() == before
    assert logged_in.refresh().status_code == 200  # the same token still works: no half-rotation


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }


def test_with_redis_down_login_and_refresh_keep_working_and_a_warning_is_logged(client, user, redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="accounts.limits.counters"):
        response = login(client)
        assert response.status_code == 200
        client.cookies["refresh_token"] = response.cookies["refresh_token"].value
        assert client.post("/api/auth/refresh/").status_code == 200

    assert "rate limits fall back to per-process counting" in caplog.text


def test_with_redis_down_login_backoff_still_counts_per_process(client, user, redis_down):
    for _ in range(6):
        login(client, password="wrong")

    assert login(client).status_code == 429


def test_a_redis_that_hangs_costs_milliseconds_not_seconds(client, user, settings):
    """A server that accepts connections and never answers: the login must not stall."""
    import socket
    import threading
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{listener.getsockname()[1]}/0",
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
    }}
    try:
        started = time.perf_counter()
        for _ in range(3):
            assert login(client, password="wrong").status_code == 401
        assert login(client).status_code == 200
        assert time.perf_counter() - started < 3
    finally:
        listener.close()
