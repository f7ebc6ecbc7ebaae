"""Each test run's own keys in a shared cache.

Two test runs on one machine may share one Redis database (two checkouts of
the project, CI beside a developer). Each run counts under its own key
prefix, so neither adds to the other's throttle and backoff counters, and
empties only its own keys between tests: Django's ``RedisCache.clear()`` is
``FLUSHDB``, which would empty every other run's counters in the middle of
its tests.
"""
import os
import re
import secrets

# Set once per process (tests/settings.py reads it): a nested or concurrent run gets its own.
KEY_PREFIX = f"gatehouse-test-{os.getpid()}-{secrets.token_hex(4)}"


def clear(cache) -> None:
    """Empty ``cache`` of this run's keys; on Redis, only the keys under its ``KEY_PREFIX``."""
    from django.core.cache.backends.redis import RedisCache

    if not isinstance(cache, RedisCache):
        cache.clear()  # in this process's memory: this run's alone
        return
    if not cache.key_prefix:
        raise AssertionError(
            "A test cache on Redis needs this run's KEY_PREFIX (tests/run_cache.py): without it, emptying it "
            "would empty every other run's keys in the same database."
        )
    client = cache._cache.get_client(write=True)
    pattern = re.sub(r"([*?\[\]\\])", r"\\\1", cache.key_prefix) + ":*"
    keys = list(client.scan_iter(match=pattern, count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start:start + 1000])
