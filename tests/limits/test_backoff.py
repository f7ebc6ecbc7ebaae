"""Login hardening: exponential backoff (not lockout) and uniform failures."""
import time

import pytest
import time_machine
from django.contrib.auth.hashers import MD5PasswordHasher

from accounts.models import SecurityEvent, SecurityEventKind
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db


def fail(client, username="alice", ip="203.0.113.1"):
    return login(client, username, "wrong password", REMOTE_ADDR=ip)


def succeed(client, ip="203.0.113.1"):
    return login(client, REMOTE_ADDR=ip)


def test_first_failures_are_free_then_each_one_doubles_the_wait(client, user):
    with time_machine.travel(time.time(), tick=False) as clock:
        for _ in range(5):
            assert fail(client).status_code == 401
        assert fail(client).status_code == 401  # sixth failure: the next attempt waits 1 s

        blocked = succeed(client)
        assert blocked.status_code == 429
        assert blocked.json()["code"] == "throttled"
        assert int(blocked["Retry-After"]) == 1

        clock.shift(1.5)
        assert fail(client).status_code == 401  # seventh failure: 2 s
        assert int(succeed(client)["Retry-After"]) == 2
        clock.shift(2.5)
        assert fail(client).status_code == 401  # eighth failure: 4 s
        assert int(succeed(client)["Retry-After"]) == 4


def test_backoff_is_not_a_lockout_and_success_clears_it(client, user):
    with time_machine.travel(time.time(), tick=False) as clock:
        for _ in range(7):
            fail(client)
            clock.shift(10)

        assert succeed(client).status_code == 200
        for _ in range(5):
            assert fail(client).status_code == 401  # the free attempts are back


def test_a_distributed_attack_on_one_account_only_slows_it_briefly(client, user):
    with time_machine.travel(time.time(), tick=False) as clock:
        for i in range(30):
            fail(client, ip=f"198.51.100.{i}")
            clock.shift(0.01)

        blocked = login(client, REMOTE_ADDR="192.0.2.7")
        assert blocked.status_code == 429
        assert int(blocked["Retry-After"]) <= 60  # the victim waits a minute at most, never for good
        clock.shift(61)
        assert login(client, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_backoff_per_ip_covers_every_account_but_spares_other_ips(client, make_user, settings):
    make_user("alice")
    with time_machine.travel(time.time(), tick=False):
        for i in range(21):
            fail(client, username=f"nobody{i}", ip="203.0.113.66")

        assert login(client, REMOTE_ADDR="203.0.113.66").status_code == 429
        assert login(client, REMOTE_ADDR="203.0.113.67").status_code == 200


def test_backoff_delay_is_capped(client, user, settings):
    policy = {**settings.GATEHOUSE["LOGIN_BACKOFF"], "FREE_ATTEMPTS_PER_ACCOUNT_AND_IP": 1, "MAX_DELAY_SECONDS": 30}
    settings.GATEHOUSE = {**settings.GATEHOUSE, "LOGIN_BACKOFF": policy}
    with time_machine.travel(time.time(), tick=False) as clock:
        for _ in range(12):
            fail(client)
            clock.shift(60)
        fail(client)

        assert int(succeed(client)["Retry-After"]) <= 30


@pytest.mark.parametrize(
    "username, password",
    [("alice", "wrong password"), ("nobody", PASSWORD), ("inactive", PASSWORD)],
    ids=["wrong-password", "unknown-user", "inactive-user"],
)
def test_every_failed_login_costs_exactly_one_password_hash(client, make_user, monkeypatch, username, password):
    make_user("alice")
    make_user("inactive", is_active=False)
    hashes = []
    original = MD5PasswordHasher.encode
    monkeypatch.setattr(MD5PasswordHasher, "encode", lambda self, *a, **k: hashes.append(1) or original(self, *a, **k))

    assert login(client, username, password).status_code == 401

    assert len(hashes) == 1


def test_failed_logins_are_recorded_with_the_attempted_name_and_ip(client, db):
    fail(client, username="ghost", ip="192.0.2.44")

    event = SecurityEvent.objects.get(kind=SecurityEventKind.LOGIN_FAILED)
    assert (event.username, event.ip_address, event.user) == ("ghost", "192.0.2.44", None)


def test_a_client_the_account_used_before_is_not_slowed_by_a_distributed_attack(client, user):
    with time_machine.travel(time.time(), tick=False) as clock:
        assert succeed(client, ip="192.0.2.10").status_code == 200
        for i in range(30):
            fail(client, ip=f"198.51.100.{i}")
            clock.shift(0.01)

        assert succeed(client, ip="192.0.2.10").status_code == 200
        assert succeed(client, ip="192.0.2.99").status_code == 429


def test_an_ipv6_host_is_counted_per_64_not_per_address(client, make_user):
    make_user("alice")
    with time_machine.travel(time.time(), tick=False):
        for i in range(21):
            fail(client, username=f"nobody{i}", ip=f"2001:db8:1:2::{i + 1:x}")

        assert succeed(client, ip="2001:db8:1:2:ffff::1").status_code == 429
        assert succeed(client, ip="2001:db8:1:3::1").status_code == 200


def test_wrong_current_passwords_on_password_change_back_off_too(logged_in, user):
    with time_machine.travel(time.time(), tick=False):
        for _ in range(6):
            response = logged_in.post(
                "/api/auth/password/", {"current_password": "guess", "new_password": "a brand new passphrase"},
                REMOTE_ADDR="203.0.113.1",
            )
            assert response.status_code == 400
        blocked = logged_in.post(
            "/api/auth/password/", {"current_password": PASSWORD, "new_password": "a brand new passphrase"},
            REMOTE_ADDR="203.0.113.1",
        )

    assert blocked.status_code == 429
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.fixture
def counter_writes(monkeypatch):
    """The writes (set, delete_many) that logins make to the backoff's keys.

    Chosen by the backoff's key prefix: the counters' cache holds other state too (the map of company
    domains, ``accounts.federation.domains``), whose writes are no backoff state.
    """
    from accounts.limits.backoff import KEY_PREFIX
    from accounts.limits.counters import counters

    def is_backoff(keys):
        return any(key.startswith(KEY_PREFIX) for key in ([keys] if isinstance(keys, str) else keys))

    writes = []
    for method in ("set", "delete_many"):
        original = getattr(counters, method)

        def spy(*args, _original=original, _method=method):
            if is_backoff(args[0]):
                writes.append((_method, args[0]))
            return _original(*args)

        monkeypatch.setattr(counters, method, spy)
    return writes


def test_a_clean_login_from_a_known_client_writes_no_backoff_state(client, user, counter_writes):
    with time_machine.travel(time.time(), tick=False) as clock:
        assert succeed(client).status_code == 200  # remembers the client
        assert [method for method, _ in counter_writes] == ["set"]
        counter_writes.clear()
        clock.shift(3600)

        assert succeed(client).status_code == 200

    assert counter_writes == []


def test_the_known_client_mark_is_renewed_after_a_day(client, user, counter_writes):
    with time_machine.travel(time.time(), tick=False) as clock:
        succeed(client)
        counter_writes.clear()
        clock.shift(24 * 3600)

        assert succeed(client).status_code == 200

    assert [method for method, _ in counter_writes] == ["set"]


def test_a_login_after_failures_clears_them_even_from_a_known_client(client, user, counter_writes):
    with time_machine.travel(time.time(), tick=False) as clock:
        succeed(client)
        for _ in range(3):
            fail(client)
        counter_writes.clear()
        clock.shift(60)

        assert succeed(client).status_code == 200
        for _ in range(5):
            assert fail(client).status_code == 401  # all five free attempts again

    assert [method for method, _ in counter_writes] == ["delete_many"]
