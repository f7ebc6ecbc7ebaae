"""Two app servers behind one database and one Redis, as behind a load balancer.

Two real gunicorn processes (production settings, ``DJANGO_DEBUG`` off) on two
loopback ports share the test database (PostgreSQL when ``DATABASE_URL`` says
so, otherwise the test run's SQLite file) and Redis (``REDIS_URL``, default
``redis://127.0.0.1:6379/0``). What one server does, the other sees at once:
a session refreshed on one and revoked on the other is refused on both, and
the login rate limit counts requests to both.

Redis is required, not optional: CI starts it, and a missing Redis fails
these tests rather than skipping them. ``GATEHOUSE_SKIP_REDIS_TESTS=1`` skips
them on a machine without Redis.

Each test acts as its own client address (``X-Forwarded-For`` behind one
trusted proxy), so the counters it creates in Redis are its own: nothing is
flushed, and two runs sharing a Redis do not disturb each other.
"""
import http.client
import json
import os
import secrets
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection

from accounts.models import RefreshSession
from bench.server import Gunicorn

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "multi-server password 1"
LOGINS_PER_MINUTE = 3
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
INTROSPECTION_SECRET = "intro-" + secrets.token_urlsafe(48)


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


class Server:
    """A small HTTP client for one gunicorn, speaking as a client behind the trusted proxy."""

    def __init__(self, gunicorn):
        self.gunicorn = gunicorn

    def call(self, method, path, *, ip, bearer=None, refresh=None, body=None):
        headers = {"X-Forwarded-For": ip, "X-Forwarded-Proto": "https"}
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        if refresh:
            headers["Cookie"] = f"refresh_token={refresh}"
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body)
        conn = http.client.HTTPConnection(*self.gunicorn.address, timeout=30)
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

    def login(self, username, *, ip, password=PASSWORD):
        return self.call("POST", "/api/auth/login/", ip=ip, body={"username": username, "password": password})

    def refresh(self, token, *, ip):
        return self.call("POST", "/api/auth/refresh/", ip=ip, refresh=token)

    def me(self, access, *, ip):
        return self.call("GET", "/api/auth/me/", ip=ip, bearer=access)[0]

    def introspect(self, access, *, ip):
        status, body, _, _ = self.call(
            "POST", "/api/auth/introspect/", ip=ip, bearer=INTROSPECTION_SECRET, body={"token": access}
        )
        assert status == 200, body
        return body["active"]


@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker, redis_client):
    """Two gunicorn processes sharing the test database and Redis; always stopped."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="backend.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="multi-" + secrets.token_urlsafe(48),  # shared: a token from one is valid on the other
        DATABASE_URL=_database_url(),
        REDIS_URL=REDIS_URL,
        TRUSTED_PROXY_COUNT="1",
        LOGIN_RATE_PER_IP=f"{LOGINS_PER_MINUTE}/min",
        GATEHOUSE_LOG_LEVEL="WARNING",
        INTROSPECTION_SECRET=INTROSPECTION_SECRET,
    )
    started = []
    try:
        for name in ("server-a", "server-b"):
            started.append(Gunicorn(env, workers=1, name=name, startup_timeout=60).start())
        yield [Server(gunicorn) for gunicorn in started]
    finally:
        for gunicorn in started:
            gunicorn.stop()


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


def current_session_id(server, access, ip):
    status, sessions, _, _ = server.call("GET", "/api/auth/sessions/", ip=ip, bearer=access)
    assert status == 200, sessions
    return next(session["id"] for session in sessions if session["current"])


def test_a_session_refreshed_on_one_server_and_revoked_on_the_other_is_refused_on_both(servers, alice):
    a, b = servers
    ip = client_ip()
    status, body, cookies, _ = a.login(alice.username, ip=ip)
    assert status == 200, body
    first_access, first_refresh = body["access"], cookies["refresh_token"]
    assert b.me(first_access, ip=ip) == 200, "B accepts A's token: one database, one key"

    status, body, cookies, _ = a.refresh(first_refresh, ip=ip)
    assert status == 200, body
    access, refresh = body["access"], cookies["refresh_token"]
    assert b.me(access, ip=ip) == 200 and a.me(access, ip=ip) == 200

    session_id = current_session_id(b, access, ip)
    status, body, _, _ = b.call("DELETE", f"/api/auth/sessions/{session_id}/", ip=ip, bearer=access)
    assert status == 204, body

    for server in (a, b):
        assert server.me(access, ip=ip) == 401, "the access token dies with its session, on every server"
        assert server.me(first_access, ip=ip) == 401
        assert server.refresh(refresh, ip=ip)[0] == 401
        assert server.refresh(first_refresh, ip=ip)[0] == 401
    assert RefreshSession.objects.get(pk=session_id).revoked_at is not None


def test_a_session_refreshed_on_one_server_and_logged_out_on_the_other_is_refused_on_both(servers, alice):
    a, b = servers
    ip = client_ip()
    status, body, cookies, _ = b.login(alice.username, ip=ip)
    assert status == 200, body
    status, body, cookies, _ = b.refresh(cookies["refresh_token"], ip=ip)
    assert status == 200, body
    access, refresh = body["access"], cookies["refresh_token"]
    assert a.introspect(access, ip=ip) is True and b.introspect(access, ip=ip) is True

    status, _, cookies, _ = a.call("POST", "/api/auth/logout/", ip=ip, refresh=refresh)
    assert status == 204

    for server in (a, b):
        assert server.me(access, ip=ip) == 401
        assert server.refresh(refresh, ip=ip)[0] == 401
        # Another service asking either server learns it at once (introspection).
        assert server.introspect(access, ip=ip) is False


def test_the_login_rate_limit_counts_requests_to_both_servers_in_redis(servers, alice, redis_client):
    a, b = servers
    ip = client_ip()
    # A, B, A: three logins, each server has seen fewer than the limit on its own.
    for server in (a, b, a)[:LOGINS_PER_MINUTE]:
        status, body, _, _ = server.login(alice.username, ip=ip)
        assert status == 200, body

    for server in (b, a):
        status, body, _, headers = server.login(alice.username, ip=ip)
        assert status == 429, f"the limit is {LOGINS_PER_MINUTE}/min from one address across all servers: {body}"
        assert int(headers["Retry-After"]) > 0

    # Another address is not affected, and the counter is in Redis, not in either process.
    assert b.login(alice.username, ip=client_ip())[0] == 200
    assert list(redis_client.scan_iter(match=f"*throttle_login_ip_{ip}:*", count=1000)), "no throttle key in Redis"
