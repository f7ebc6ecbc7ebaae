"""Two app servers behind one database and one Redis, as behind a load balancer.

Two real gunicorn processes (production settings, ``DJANGO_DEBUG`` off) on two
loopback ports share the test database (PostgreSQL when ``DATABASE_URL`` says
so, otherwise the test run's SQLite file) and Redis (``REDIS_URL``, default
``redis://127.0.0.1:6379/0``). What one server does, the other sees at once:
a session refreshed on one and revoked on the other is refused on both
(on PostgreSQL, where each process remembers live sessions, within the
propagation bound: the database notifies the other server), and the login
rate limit counts requests to both.

Redis is required, not optional: CI starts it, and a missing Redis fails
these tests rather than skipping them. ``GATEHOUSE_SKIP_REDIS_TESTS=1`` skips
them on a machine without Redis. ``tests/test_reverse_proxy.py`` puts nginx
in front of two such servers.

Each test acts as its own client address (``X-Forwarded-For`` behind one
trusted proxy), so the counters it creates in Redis are its own: nothing is
flushed, and two runs sharing a Redis do not disturb each other.
"""
import secrets
import time

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import RefreshSession
from tests.conftest import wait_until
from tests.servers import (  # noqa: F401 (alice and redis_client are fixtures)
    Server, alice, app_server_env, app_servers, client_ip, current_session, redis_client,
)

pytestmark = pytest.mark.django_db(transaction=True)

LOGINS_PER_MINUTE = 3
INTROSPECTION_SECRET = "intro-" + secrets.token_urlsafe(48)


@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker, redis_client):
    """Two gunicorn processes sharing the test database and Redis; always stopped."""
    env = app_server_env(LOGIN_RATE_PER_IP=f"{LOGINS_PER_MINUTE}/min", INTROSPECTION_SECRET=INTROSPECTION_SECRET)
    with app_servers(env) as started:
        yield [Server(gunicorn) for gunicorn in started]


def introspect(server, access, *, ip):
    """What another service learns from ``server`` about ``access`` (RFC 7662)."""
    status, body, _, _ = server.call(
        "POST", "/api/auth/introspect/", ip=ip, bearer=INTROSPECTION_SECRET, body={"token": access}
    )
    assert status == 200, body
    return body["active"]


def current_session_id(server, access, ip):
    return current_session(server, access, ip)["id"]


def refused_within_the_propagation_bound(server, access, ip):
    """Refused at once, or (PostgreSQL) once the server is notified; then refused every time."""
    wait_until(lambda: server.me(access, ip=ip) == 401, timeout=10, what="the access token to be refused")
    assert [server.me(access, ip=ip) for _ in range(10)] == [401] * 10


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
        refused_within_the_propagation_bound(server, access, ip)
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
    assert introspect(a, access, ip=ip) is True and introspect(b, access, ip=ip) is True

    status, _, cookies, _ = a.call("POST", "/api/auth/logout/", ip=ip, refresh=refresh)
    assert status == 204

    for server in (a, b):
        refused_within_the_propagation_bound(server, access, ip)
        assert server.refresh(refresh, ip=ip)[0] == 401
        # Another service asking either server learns it at once (introspection).
        assert introspect(server, access, ip=ip) is False


def start_early_in_a_window(*, seconds_needed, window=60):
    """Wait, if need be, until a fixed window of ``window`` seconds has at least ``seconds_needed`` left."""
    left = window - time.time() % window
    if left < seconds_needed:
        time.sleep(left + 0.5)


def test_the_login_rate_limit_counts_requests_to_both_servers_in_redis(servers, alice, redis_client):
    a, b = servers
    ip = client_ip()
    # Repro of a flake: the limit counts in fixed one-minute windows, so five logins that straddled a minute's end
    # were counted in two windows and the fourth got 200. Start where the rest of the minute is long enough.
    start_early_in_a_window(seconds_needed=30)
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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="notifications are PostgreSQL's")
def test_on_postgresql_each_server_listens_for_session_changes_and_a_raw_sql_revocation_reaches_both(
    servers, alice
):
    from accounts.sessions.live_sessions import APPLICATION_NAME

    ip = client_ip()
    status, body, _, _ = servers[0].login(alice.username, ip=ip)
    access = body["access"]

    def listening():
        for server in servers:
            assert server.me(access, ip=ip) == 200
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND datname = current_database()",
                [APPLICATION_NAME],
            )
            return cursor.fetchone()[0] >= len(servers)

    wait_until(listening, timeout=20, what="a listener in each server")
    RefreshSession.objects.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())

    for server in servers:
        refused_within_the_propagation_bound(server, access, ip)
