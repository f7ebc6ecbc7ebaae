"""The password hasher: Argon2id at OWASP's parameters, configurable, and a bound on hashing at once.

Django's own Argon2 costs 100 MiB and 8 lanes per hash (about 0.5 s of CPU
on a loaded core): a burst of logins then takes every worker and the
memory of the machine. OWASP's first Argon2id recommendation, 19 MiB, two
passes, one lane (``ARGON2_MEMORY_KIB``, ``ARGON2_TIME_COST``,
``ARGON2_PARALLELISM``), is the default. The algorithm's name stays
``argon2``, so a hash made with other parameters (Django's, or an earlier
setting) is still checked, and ``must_update`` has it hashed again at the
account's next successful login (``accounts.models.User.check_password``
keeps the account's sessions through that).

Two bounds keep a burst of logins from taking every core from the requests
that need no hash. Across the deployment, at most ``PASSWORD_HASH_SLOTS``
hashes run at once (``accounts.limits.admission``, slots in the shared
cache): a hash beyond them is refused at once (503, ``Retry-After``) rather
than queued in a worker. Within a process, at most
``PASSWORD_HASH_CONCURRENCY`` run at once (a semaphore around both hashing
and checking): the bound that holds alone when the shared cache is down.
"""
import threading

from django.contrib.auth.hashers import Argon2PasswordHasher

from accounts import conf
from accounts.limits.admission import hashing_slot

_slots_lock = threading.Lock()
_slots = {"size": None, "semaphore": None}


def _semaphore() -> threading.BoundedSemaphore:
    size = conf.password_hash_concurrency()
    with _slots_lock:
        if _slots["size"] != size:  # first use, or the setting changed (tests)
            _slots.update(size=size, semaphore=threading.BoundedSemaphore(size))
        return _slots["semaphore"]


class GatehouseArgon2PasswordHasher(Argon2PasswordHasher):
    """Django's Argon2id hasher with the parameters of ``settings.GATEHOUSE`` and a per-process bound."""

    @property
    def time_cost(self):
        return conf.argon2_time_cost()

    @property
    def memory_cost(self):
        return conf.argon2_memory_kib()

    @property
    def parallelism(self):
        return conf.argon2_parallelism()

    def encode(self, password, salt):
        with hashing_slot(), _semaphore():
            return super().encode(password, salt)

    def verify(self, password, encoded):
        with hashing_slot(), _semaphore():
            return super().verify(password, encoded)
