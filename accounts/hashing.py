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

At most ``PASSWORD_HASH_CONCURRENCY`` hashes run at once in a process (a
semaphore around both hashing and checking): in a threaded server a burst of
logins waits its turn instead of taking every core from the requests that
need none.
"""
import threading

from django.contrib.auth.hashers import Argon2PasswordHasher

from accounts import conf

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
        with _semaphore():
            return super().encode(password, salt)

    def verify(self, password, encoded):
        with _semaphore():
            return super().verify(password, encoded)
