"""Two test runs sharing one Redis database neither clear nor add to each other's counters.

Throttle and backoff counters live in Redis when ``REDIS_URL`` is set. Each
run counts under its own key prefix and empties only its own keys between
tests (``tests/run_cache.py``); a run that emptied the whole database
(Django's ``cache.clear()`` is ``FLUSHDB``), or counted under the same keys,
made rate-limit tests of the other run fail.

Here this run counts on Redis (the one ``REDIS_URL`` names, as the
multi-server tests use), then a second ``pytest`` on the same Redis database
runs ``tests/limits/parallel_run_probe.py``; its fixtures empty its cache
before and after its test.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from accounts.limits.counters import counters
from tests import run_cache
from tests.limits.parallel_run_probe import PROBE_KEY
from tests.servers import REDIS_URL, redis_client  # noqa: F401 (a fixture: fails clearly without Redis)

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def counting_on_redis(settings, redis_client):  # noqa: F811
    """This run's cache on Redis, as tests/settings.py configures it when REDIS_URL is set."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": run_cache.KEY_PREFIX,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
    from django.core.cache import caches

    counters.clear_fallback()
    yield caches["default"]
    run_cache.clear(caches["default"])


def another_run(path):
    """A second test run of this checkout on the same Redis database (on its own SQLite file)."""
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("DATABASE_URL", "PYTEST_"))}
    environment["REDIS_URL"] = REDIS_URL
    return subprocess.run(
        [sys.executable, "-m", "pytest", path, "-q", "-p", "no:cacheprovider"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600, check=False,
    )


def test_another_run_on_the_same_redis_neither_clears_nor_sees_this_runs_counters(counting_on_redis):
    # repro: with REDIS_URL set, run A counts (a throttle counter); run B on the same Redis database starts and
    # ends its tests (each emptying its cache) → A's counter is intact, and B never saw A's counts
    assert [counters.count(PROBE_KEY, 600) for _ in range(3)] == [1, 2, 3]

    other = another_run("tests/limits/parallel_run_probe.py")

    assert other.returncode == 0, other.stdout[-3000:] + other.stderr[-3000:]
    assert "1 passed" in other.stdout
    assert counters.count(PROBE_KEY, 600) == 4, "the other run emptied this run's counters"
