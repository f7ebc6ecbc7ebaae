"""The password hasher (accounts/hashing.py): OWASP's Argon2id parameters, configurable, old hashes upgraded at
the next login with the account's sessions kept, and a bound on hashing at once per process."""
import threading
import time

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher
from rest_framework.test import APIClient

from accounts.hashing import GatehouseArgon2PasswordHasher
from tests.conftest import PASSWORD, LoggedIn, login

pytestmark = pytest.mark.django_db

GATEHOUSE_HASHER = ["accounts.hashing.GatehouseArgon2PasswordHasher"]


def argon2_parameters(encoded):
    decoded = identify_hasher(encoded).decode(encoded)
    return decoded["algorithm"], decoded["memory_cost"], decoded["time_cost"], decoded["parallelism"]


class OldArgon2(Argon2PasswordHasher):
    """A hash as an earlier setting made it (cheap here, so the test is quick): different parameters."""

    time_cost, memory_cost, parallelism = 1, 8 * 1024, 2


def test_the_default_is_owasps_argon2id_19_mib_two_passes_one_lane(settings):
    # Repro: Django's default Argon2 (100 MiB, 8 lanes) cost about 0.5 s of CPU and 100 MB per login.
    settings.PASSWORD_HASHERS = GATEHOUSE_HASHER
    import backend.settings

    settings.GATEHOUSE = {**settings.GATEHOUSE, **{
        name: backend.settings.GATEHOUSE[name]
        for name in ("ARGON2_TIME_COST", "ARGON2_MEMORY_KIB", "ARGON2_PARALLELISM")
    }}
    hasher = GatehouseArgon2PasswordHasher()
    encoded = hasher.encode("a password", hasher.salt())
    assert encoded.startswith("argon2$argon2id$")
    assert argon2_parameters(encoded) == ("argon2", 19 * 1024, 2, 1)
    assert hasher.verify("a password", encoded) and not hasher.verify("another", encoded)


def test_the_parameters_come_from_the_settings(settings):
    settings.PASSWORD_HASHERS = GATEHOUSE_HASHER
    settings.GATEHOUSE = {**settings.GATEHOUSE, "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 46 * 1024,
                          "ARGON2_PARALLELISM": 1}
    hasher = GatehouseArgon2PasswordHasher()
    assert argon2_parameters(hasher.encode("a password", hasher.salt())) == ("argon2", 46 * 1024, 1, 1)


def test_an_older_hash_is_upgraded_at_the_next_login_and_the_accounts_other_sessions_survive(
    settings, django_user_model
):
    # Repro: hashes made with Django's default parameters stayed so; upgraded naively (Django's setter), the new
    # hash would change every session's password fingerprint and end the account's other sessions.
    import backend.settings

    settings.PASSWORD_HASHERS = GATEHOUSE_HASHER
    owasp = {name: backend.settings.GATEHOUSE[name]
             for name in ("ARGON2_TIME_COST", "ARGON2_MEMORY_KIB", "ARGON2_PARALLELISM")}
    earlier = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 8 * 1024, "ARGON2_PARALLELISM": 2}
    settings.GATEHOUSE = {**settings.GATEHOUSE, **earlier}
    old = OldArgon2()
    user = django_user_model.objects.create(username="alice", email="alice@example.com",
                                            password=old.encode(PASSWORD, old.salt()))
    before = LoggedIn(APIClient(), login(APIClient()))  # a session of the old hash

    settings.GATEHOUSE = {**settings.GATEHOUSE, **owasp}
    upgrading = LoggedIn(APIClient(), login(APIClient()))
    user.refresh_from_db()
    assert argon2_parameters(user.password) == ("argon2", 19 * 1024, 2, 1)

    assert before.get("/api/auth/me/").status_code == 200
    assert before.refresh().status_code == 200
    assert upgrading.get("/api/auth/me/").status_code == 200
    assert login(APIClient()).status_code == 200  # the new hash: nothing more to upgrade
    assert login(APIClient(), password="not the password").status_code == 401


def test_at_most_the_configured_number_of_hashes_run_at_once_in_a_process(settings, monkeypatch):
    # Repro: a burst of logins hashed on every thread at once, taking every core from the requests needing none.
    # Slots enough for every thread: the deployment-wide bound (tests/limits/test_admission.py) is not this one.
    settings.GATEHOUSE = {**settings.GATEHOUSE, "PASSWORD_HASH_CONCURRENCY": 1, "PASSWORD_HASH_SLOTS": 6}
    running, most = [0], [0]
    lock = threading.Lock()

    def slow_verify(self, password, encoded):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return True

    monkeypatch.setattr(Argon2PasswordHasher, "verify", slow_verify)
    hasher = GatehouseArgon2PasswordHasher()
    threads = [threading.Thread(target=hasher.verify, args=("p", "argon2$x")) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert most[0] == 1

    settings.GATEHOUSE = {**settings.GATEHOUSE, "PASSWORD_HASH_CONCURRENCY": 3}
    most[0] = 0
    threads = [threading.Thread(target=hasher.verify, args=("p", "argon2$x")) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert 1 < most[0] <= 3


def test_a_right_password_is_not_refused_when_no_slot_is_free_for_its_upgrade(settings, django_user_model, monkeypatch):
    # Repro: the upgrade of an older hash took a second hashing slot after the password was checked; with every
    # slot taken by then, a right password got 503 hashing_busy and no session. The upgrade waits for a later login.
    from accounts import hashing
    from accounts.limits import admission

    settings.PASSWORD_HASHERS = GATEHOUSE_HASHER
    old = OldArgon2()
    user = django_user_model.objects.create(username="alice", email="alice@example.com",
                                            password=old.encode(PASSWORD, old.salt()))
    real_slot = admission.hashing_slot
    slots_taken = []

    def slot_then_busy():
        slots_taken.append(1)
        if len(slots_taken) > 1:  # the check had the only slot; the upgrade finds none
            raise admission.HashingBusy()
        return real_slot()

    monkeypatch.setattr(hashing, "hashing_slot", slot_then_busy)
    response = login(APIClient())

    assert response.status_code == 200, response.content
    assert len(slots_taken) == 2
    user.refresh_from_db()
    assert argon2_parameters(user.password) == ("argon2", 8 * 1024, 1, 2)  # kept, upgraded at a later login
    monkeypatch.setattr(hashing, "hashing_slot", real_slot)
    assert login(APIClient()).status_code == 200
    user.refresh_from_db()
    assert argon2_parameters(user.password) == ("argon2", 19 * 1024, 2, 1)
