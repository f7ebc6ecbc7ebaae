"""The deployment-wide bound on password hashing across real gunicorn processes sharing Redis.

Two app servers (production settings, threaded workers as ``make serve``
runs them) share the test database and Redis, under a key prefix of this
module's own, with ``PASSWORD_HASH_SLOTS=1``. Alice's password is hashed
with so many passes that checking it takes a second or more, so the test
can see the slot taken (in Redis) while the check runs and ask the other
server, and the same server's other threads, for a login meanwhile. Then a
worker is killed while it holds the slot: the slot comes free when its
lease runs out, never later.
"""
import os
import secrets
import signal
import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import Argon2PasswordHasher

from bench import procstats
from bench.server import Gunicorn
from tests.conftest import wait_until
from tests.servers import PASSWORD, Server, app_server_env, client_ip, redis_client  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

LEASE = 3
PREFIX = f"admission-test-{secrets.token_hex(4)}"


class SlowArgon2(Argon2PasswordHasher):
    """A hash whose check takes long enough (a second or more) to be seen in progress."""

    time_cost, memory_cost, parallelism = 120, 19 * 1024, 1


def start(name):
    env = app_server_env(PASSWORD_HASH_SLOTS="1", PASSWORD_HASH_SLOT_LEASE=str(LEASE), CACHE_KEY_PREFIX=PREFIX,
                         LOGIN_RATE_PER_IP="1000/min")
    return Gunicorn(env, workers=1, name=name, startup_timeout=60,
                    options=["--worker-class", "gthread", "--threads", "4"]).start()


@pytest.fixture
def servers(redis_client):  # noqa: F811
    started = []
    try:
        started += [start("admission-a"), start("admission-b")]
        yield started
    finally:
        for gunicorn in started:
            gunicorn.stop()
        for key in redis_client.scan_iter(match=f"{PREFIX}:*"):
            redis_client.delete(key)


@pytest.fixture
def users():
    slow, fast = SlowArgon2(), Argon2PasswordHasher()
    make = get_user_model().objects.create
    tag = secrets.token_hex(4)
    return (
        make(username=f"slow-{tag}", email=f"slow-{tag}@example.com", password=slow.encode(PASSWORD, slow.salt())),
        make(username=f"fast-{tag}", email=f"fast-{tag}@example.com", password=fast.encode(PASSWORD, fast.salt())),
    )


def slot_keys(redis_client):  # noqa: F811
    return list(redis_client.scan_iter(match=f"{PREFIX}:*password-hash-slot:*"))


def login_in_background(server, username):
    answer = {}

    def run():
        try:
            answer["status"] = server.login(username, ip=client_ip(), headers=None)[0]
        except OSError as error:  # the worker was killed under it
            answer["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, answer


def assert_refused(answer):
    status, body, cookies, headers = answer
    assert status == 503, body
    assert body == {"detail": "Many sign-ins are being checked right now. Please try again in a moment.",
                    "code": "hashing_busy"}
    assert headers["Retry-After"] == "1"
    assert headers["Content-Type"].startswith("application/json")
    assert "refresh_token" not in cookies


def test_one_slot_bounds_the_hashing_of_every_process(servers, users, redis_client):  # noqa: F811
    # Repro: each worker hashed whatever reached it, so a flood of logins took every worker of every server.
    a, b = (Server(gunicorn) for gunicorn in servers)
    slow, fast = users
    thread, answer = login_in_background(a, slow.username)
    wait_until(lambda: slot_keys(redis_client), timeout=30, what="the slow login to take the slot")
    assert_refused(b.login(fast.username, ip=client_ip()))  # another process
    assert_refused(a.login(fast.username, ip=client_ip()))  # another thread of the same process
    assert_refused(b.login("nobody-at-all", ip=client_ip()))  # an unknown name: the same answer
    thread.join(120)
    assert answer == {"status": 200}
    assert slot_keys(redis_client) == []  # given back
    assert b.login(fast.username, ip=client_ip())[0] == 200


def test_a_worker_killed_while_hashing_leaks_its_slot_for_the_lease_at_most(servers, users, redis_client):  # noqa: F811
    a, b = (Server(gunicorn) for gunicorn in servers)
    slow, fast = users
    thread, answer = login_in_background(a, slow.username)
    (key,) = wait_until(lambda: slot_keys(redis_client), timeout=30, what="the slow login to take the slot")
    for pid in procstats.workers(servers[0].process.pid):
        os.kill(pid, signal.SIGKILL)
    thread.join(60)
    assert "status" not in answer  # the login died with its worker
    # The slot outlives its holder, but only by its lease: the key expires by itself.
    ttl = redis_client.pttl(key)
    assert 0 < ttl <= LEASE * 1000 or ttl == -2  # -2: already expired
    wait_until(lambda: b.login(fast.username, ip=client_ip())[0] == 200, timeout=60, interval=0.2,
               what="the killed worker's slot to come free")
    assert slot_keys(redis_client) == []
