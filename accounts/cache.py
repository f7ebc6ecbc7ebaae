"""The cache that throttling and login backoff count in, surviving a Redis outage.

With ``REDIS_URL`` set the counters are shared by every app server. If Redis
stops answering, counting falls back to this process's memory (limits then
hold per process) and a warning is logged, rather than failing logins.
Revocation never goes through the cache: it is always a database check.
"""
import logging
import time

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

logger = logging.getLogger(__name__)

_WARN_EVERY_SECONDS = 60


class ResilientCache:
    def __init__(self, alias="default"):
        self._alias = alias
        self._fallback = LocMemCache("gatehouse-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})
        self._last_warning = 0.0

    def get(self, key, default=None):
        return self._call("get", key, default)

    def set(self, key, value, timeout):
        return self._call("set", key, value, timeout)

    def delete(self, key):
        return self._call("delete", key)

    def get_many(self, keys):
        return self._call("get_many", keys)

    def delete_many(self, keys):
        return self._call("delete_many", keys)

    def add(self, key, value, timeout):
        return self._call("add", key, value, timeout)

    def incr(self, key):
        """Atomic on Redis and in memory; a key that vanished in between counts from 1."""
        try:
            return self._call("incr", key)
        except ValueError:
            self._call("add", key, 1, None)
            return 1

    def clear_fallback(self):
        self._fallback.clear()
        self._last_warning = 0.0

    def _call(self, method, *args):
        try:
            return getattr(caches[self._alias], method)(*args)
        except Exception as error:  # any backend failure: connection refused, timeout, auth
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
