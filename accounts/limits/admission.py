"""A server-wide bound on password hashing: a slot per hash, refused at once when none is free.

A gunicorn worker that checks a password holds one CPU for tens of
milliseconds. The per-process bound (``PASSWORD_HASH_CONCURRENCY``,
``accounts.hashing``) keeps threads of one process from hashing at once, but
a flood of logins from many addresses still reaches every process, and every
request queued behind those hashes waits: an authenticated GET, which needs
no hash, went from 21 ms to 480 ms at its 99th percentile.

So every process sharing the cache (``REDIS_URL``) takes one of
``PASSWORD_HASH_SLOTS`` slots before it hashes and gives it back after. A
slot is a cache key added only if absent (``SET NX`` with an expiry on
Redis), holding a random value of its holder: the expiry is a lease
(``PASSWORD_HASH_SLOT_LEASE`` seconds), so a worker killed while it hashed
leaks its slot for that long at most. The holder frees it by deleting the
key if it still holds it (read, then delete: should the lease run out in
between and another process take the slot, that process's slot is freed
early, and one hash more than the bound may run until it finishes).

When no slot is free the hash does not wait: ``HashingBusy`` answers 503 with
``Retry-After``, so the worker goes back to the requests that need no hash
and the client tries again later (the browser app says so and does). The
refusal happens before any password is checked, for an unknown account as
for a known one, so it tells nothing about either.

If the shared cache is down, the slots are kept in this process's memory
(``accounts.limits.counters`` falls back), so the bound then holds per
process, beside ``PASSWORD_HASH_CONCURRENCY``.
"""
import contextlib
import random
import secrets

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException

from accounts import conf
from accounts.limits.counters import counters

KEY = "password-hash-slot:{}"


class HashingBusy(APIException):
    """503: every password-hashing slot of the deployment is taken; try again after ``wait`` seconds."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("Many sign-ins are being checked right now. Please try again in a moment.")
    default_code = "hashing_busy"

    def __init__(self, wait=None):
        super().__init__()
        # DRF's handler turns ``wait`` into the Retry-After header (whole seconds, at least one).
        self.wait = max(1, int(wait if wait is not None else conf.password_hash_retry_after()))


def _take():
    """The key and value of a slot just taken, or None when every slot is held."""
    size = conf.password_hash_slots()
    lease = conf.password_hash_slot_lease()
    holder = secrets.token_hex(8)
    start = random.randrange(size)  # spread the tries, so the first slot is not everyone's first round trip
    for offset in range(size):
        key = KEY.format((start + offset) % size)
        if counters.add(key, holder, lease):
            return key, holder
    return None


def _give_back(key, holder):
    if counters.get(key) == holder:
        counters.delete(key)


@contextlib.contextmanager
def hashing_slot():
    """Hold one of the deployment's hashing slots for the ``with`` block; ``HashingBusy`` when none is free."""
    taken = _take()
    if taken is None:
        raise HashingBusy()
    try:
        yield
    finally:
        _give_back(*taken)


def slots_in_use() -> int:
    """How many slots are held now (for the tests and the bench)."""
    return sum(counters.get(KEY.format(n)) is not None for n in range(conf.password_hash_slots()))
