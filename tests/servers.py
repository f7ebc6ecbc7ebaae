"""Helpers for the tests that run real gunicorn (and nginx) processes on the test database and Redis.

Used by ``tests/test_multiserver.py`` and ``tests/test_reverse_proxy.py``.
Redis is required, not optional: CI starts it, and a missing Redis fails
these tests rather than skipping them. ``GATEHOUSE_SKIP_REDIS_TESTS=1`` skips
them on a machine without Redis.
"""
import contextlib
import http.client
import json
import os
import secrets
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection

from bench.server import Gunicorn
from tests.run_cache import KEY_PREFIX

PASSWORD = "multi-server password 1"
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def _redis():
    import redis

    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)


@pytest.fixture(scope="module")
def redis_client():
    client = _redis()
    try:
        client.ping()
    except Exception as error:
        if os.environ.get("GATEHOUSE_SKIP_REDIS_TESTS") == "1":
            pytest.skip(f"no Redis at {REDIS_URL} ({error}); skipped on request")
        pytest.fail(
            f"These tests need Redis at {REDIS_URL} ({type(error).__name__}: {error}). Start it, point REDIS_URL "
            f"at one, or set GATEHOUSE_SKIP_REDIS_TESTS=1 to skip them on this machine.",
            pytrace=False,
        )
    yield client
    client.close()


def _database_url():
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    if connection.vendor == "postgresql":
        credentials = quote(settings["USER"] or "", safe="")
        if settings["PASSWORD"]:
            credentials += ":" + quote(settings["PASSWORD"], safe="")
        host = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
        return f"postgres://{credentials}@{host}/{quote(settings['NAME'], safe='')}"
    raise AssertionError(f"no URL for a {connection.vendor} database")


def app_server_env(**extra):
    """Production settings on the test database and Redis, behind one trusted proxy."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="backend.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="multi-" + secrets.token_urlsafe(48),  # shared: a token from one is valid on the other
        DATABASE_URL=_database_url(),
        REDIS_URL=REDIS_URL,
        TRUSTED_PROXY_COUNT="1",
        GATEHOUSE_LOG_LEVEL="WARNING",
        # This run's keys (tests/run_cache.py): another run's servers on the same Redis database count apart,
        # and take none of this run's password-hashing slots.
        CACHE_KEY_PREFIX=KEY_PREFIX,
    )
    env.update(extra)
    return env


@contextlib.contextmanager
def app_servers(env, names=("server-a", "server-b")):
    """One single-worker gunicorn per name, all with ``env``; all stopped, whatever happens."""
    started = []
    try:
        for name in names:
            started.append(Gunicorn(env, workers=1, name=name, startup_timeout=60).start())
        yield started
    finally:
        for gunicorn in started:
            gunicorn.stop()


class Server:
    """A small HTTP client for one gunicorn, speaking as a client behind the trusted proxy.

    ``ip`` is the client's address, said in ``X-Forwarded-For`` as the proxy would.
    """

    def __init__(self, gunicorn):
        self.address = gunicorn.address

    def connection(self, ip, timeout):
        return http.client.HTTPConnection(*self.address, timeout=timeout)

    def client_headers(self, ip):
        return {"X-Forwarded-For": ip, "X-Forwarded-Proto": "https"}

    def call(self, method, path, *, ip, bearer=None, refresh=None, body=None, headers=None, timeout=30):
        headers = {**self.client_headers(ip), **(headers or {})}
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        if refresh:
            headers["Cookie"] = f"refresh_token={refresh}"
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body)
        conn = self.connection(ip, timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
        finally:
            conn.close()
        cookies = {}
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
        is_json = response.headers.get("Content-Type", "").startswith("application/json")
        data = json.loads(payload) if payload and is_json else None
        return response.status, data, cookies, response.headers

    def login(self, username, *, ip, password=PASSWORD, headers=None):
        body = {"username": username, "password": password}
        return self.call("POST", "/api/auth/login/", ip=ip, body=body, headers=headers)

    def refresh(self, token, *, ip, headers=None):
        return self.call("POST", "/api/auth/refresh/", ip=ip, refresh=token, headers=headers)

    def me(self, access, *, ip):
        return self.call("GET", "/api/auth/me/", ip=ip, bearer=access)[0]


@pytest.fixture
def alice():
    hasher = Argon2PasswordHasher()  # the servers' hasher (the test settings use a fast one)
    return get_user_model().objects.create(
        username=f"alice-{secrets.token_hex(4)}",
        email="alice@example.com",
        password=hasher.encode(PASSWORD, hasher.salt()),
    )


def client_ip():
    """A random private address: each test (and each run sharing the Redis) counts on its own keys."""
    return "10." + ".".join(str(secrets.randbelow(254) + 1) for _ in range(3))


def current_session(server, access, ip):
    status, sessions, _, _ = server.call("GET", "/api/auth/sessions/", ip=ip, bearer=access)
    assert status == 200, sessions
    return next(session for session in sessions if session["current"])
