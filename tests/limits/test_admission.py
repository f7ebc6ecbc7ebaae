"""The deployment-wide bound on password hashing (accounts/limits/admission.py), in one process.

Across real gunicorn workers, and a worker killed while it hashes:
tests/test_admission_servers.py.
"""
import pytest
from django.core.cache import caches
from django.test import Client
from rest_framework.test import APIClient

from accounts.limits import admission
from accounts.limits.counters import counters
from accounts.models import SecurityEvent
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db

GATEHOUSE_HASHER = ["accounts.hashing.GatehouseArgon2PasswordHasher"]


@pytest.fixture
def argon2(settings):
    """The production hasher (the suite's is MD5), cheap parameters, two slots."""
    settings.PASSWORD_HASHERS = GATEHOUSE_HASHER
    settings.GATEHOUSE = {**settings.GATEHOUSE, "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 8 * 1024,
                          "PASSWORD_HASH_SLOTS": 2, "PASSWORD_HASH_SLOT_LEASE": 5, "PASSWORD_HASH_RETRY_AFTER": 2}
    return settings


@pytest.fixture
def alice(argon2, make_user):
    return make_user(is_staff=True, is_superuser=True)


def take_every_slot():
    """As if other processes were hashing: every slot held by someone else."""
    for n in range(2):
        assert counters.add(admission.KEY.format(n), f"another process {n}", 5)


def assert_refused(response):
    assert response.status_code == 503
    assert response.json() == {
        "detail": "Many sign-ins are being checked right now. Please try again in a moment.",
        "code": "hashing_busy",
    }
    assert response["Retry-After"] == "2"


def test_a_login_hashes_in_a_slot_and_gives_it_back(alice):
    assert login(APIClient()).status_code == 200
    assert login(APIClient(), password="not the password").status_code == 401
    assert admission.slots_in_use() == 0


def test_with_every_slot_taken_a_login_is_refused_at_once_with_json_503_and_retry_after(alice):
    # Repro: a login beyond the machine's capacity queued in a worker, and the GETs behind it waited 0.5-4.5 s.
    take_every_slot()
    assert_refused(login(APIClient()))
    # An unknown name and a wrong password get the very same answer: the refusal comes before any check.
    assert_refused(login(APIClient(), username="nobody"))
    assert_refused(login(APIClient(), password="not the password"))
    # Nothing was checked, so nothing counts as a failed guess and nothing is recorded.
    assert not SecurityEvent.objects.exists()
    assert [counters.get(admission.KEY.format(n)) for n in range(2)] == ["another process 0", "another process 1"]


def test_a_slot_comes_free_when_its_lease_runs_out(alice):
    # A holder killed while hashing never gives its slot back: the key's expiry does. (Simulated here by
    # deleting the keys; tests/test_admission_servers.py kills a real worker and waits for the lease.)
    take_every_slot()
    assert_refused(login(APIClient()))
    for n in range(2):
        assert counters.get(admission.KEY.format(n)) is not None
        caches["default"].delete(admission.KEY.format(n))
    assert login(APIClient()).status_code == 200


def test_one_free_slot_is_enough(alice):
    assert counters.add(admission.KEY.format(0), "another process", 5)
    assert login(APIClient()).status_code == 200
    assert counters.get(admission.KEY.format(0)) == "another process"  # someone else's slot is left alone
    assert admission.slots_in_use() == 1


def test_a_slot_is_given_back_when_the_hash_fails(alice, monkeypatch):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    def broken(self, password, encoded):
        raise RuntimeError("the hash library failed")

    monkeypatch.setattr(Argon2PasswordHasher, "verify", broken)
    with pytest.raises(RuntimeError):
        alice.check_password(PASSWORD)
    assert admission.slots_in_use() == 0


def test_a_slot_held_by_a_process_whose_lease_ran_out_is_not_freed_by_it(alice):
    # The old holder finishing late must not free the slot that a new holder took after the lease.
    with admission.hashing_slot():
        (key,) = [admission.KEY.format(n) for n in range(2) if counters.get(admission.KEY.format(n))]
        counters.set(key, "a new holder", 5)
    assert counters.get(key) == "a new holder"


def test_with_the_shared_cache_down_the_slots_hold_in_process_memory(alice, monkeypatch):
    # Falls back rather than failing every login: the bound then holds per process.
    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("the cache is down")

            return fail

    monkeypatch.setattr("accounts.limits.counters.caches", {"default": Down()})
    assert login(APIClient()).status_code == 200
    for n in range(2):
        assert counters.add(admission.KEY.format(n), "this process", 5)  # in the fallback memory
    assert_refused(login(APIClient()))


def test_the_admins_login_form_answers_503_not_500(alice):
    take_every_slot()
    response = Client().post("/admin/login/", {"username": "alice", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert "Please try again in a moment" in response.content.decode()
