"""The cache that throttling and login backoff count in, surviving a Redis outage.

With ``REDIS_URL`` set the counters are shared by every app server. If Redis
stops answering (refused, or too slow: the client's timeouts are short), the
counters fall back to this process's memory for a while (limits then hold
per process) and a warning is logged, rather than failing or stalling logins.
Revocation never goes through the cache: it is always a database check.
"""
import logging
import time

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

logger = logging.getLogger(__name__)

_WARN_EVERY_SECONDS = 60
_RETRY_SHARED_AFTER_SECONDS = 10


class ResilientCache:
    def __init__(self, alias="default"):
        self._alias = alias
        self._fallback = LocMemCache("gatehouse-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})
        self._last_warning = 0.0
        self._shared_down_until = 0.0

    def get(self, key):
        return self._call("get", key)

    def add(self, key, value, timeout) -> bool:
        """Set ``key`` only if it is absent (atomic: ``SET NX`` on Redis); True when this call set it."""
        return bool(self._call("add", key, value, timeout))

    def delete(self, key):
        return self._call("delete", key)

    def get_many(self, keys):
        return self._call("get_many", keys)

    def set(self, key, value, timeout):
        return self._call("set", key, value, timeout)

    def delete_many(self, keys):
        return self._call("delete_many", keys)

    def count(self, key, timeout) -> int:
        """Add one to the counter ``key`` (created with ``timeout``); returns the new count.

        ``incr``, or for a new counter ``add``: each atomic on Redis and in
        memory, and one cache call once the counter exists (on Redis, Django's
        ``incr`` is two commands: EXISTS, then INCR). A counter the INCR
        created itself (it expired in between) gets its timeout back.
        """
        for _ in range(2):
            try:
                value = self._call("incr", key)
            except ValueError:  # no counter yet (or it just expired)
                if self._call("add", key, 1, timeout):
                    return 1
                continue  # another request created it first: count on it
            if value == 1:
                self._call("touch", key, timeout)
            return value
        self._call("set", key, 1, timeout)  # gone again before each incr (expired or deleted): start afresh
        return 1

    def clear_fallback(self):
        self._fallback.clear()
        self._last_warning = 0.0
        self._shared_down_until = 0.0

    def _call(self, method, *args):
        if time.monotonic() < self._shared_down_until:
            return getattr(self._fallback, method)(*args)
        try:
            return getattr(caches[self._alias], method)(*args)
        except ValueError:
            raise  # a cache answer (incr of a missing key), not an outage
        except Exception as error:  # the backend failed: refused, timed out, auth
            self._shared_down_until = time.monotonic() + _RETRY_SHARED_AFTER_SECONDS
            self._warn(error)
            return getattr(self._fallback, method)(*args)

    def _warn(self, error):
        now = time.monotonic()
        if now - self._last_warning >= _WARN_EVERY_SECONDS:
            self._last_warning = now
            logger.warning(
                "Shared cache unavailable (%s: %s); rate limits fall back to per-process counting.",
                type(error).__name__, error,
            )


counters = ResilientCache()
