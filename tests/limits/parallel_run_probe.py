"""Run only by tests/limits/test_parallel_runs.py, as another test run on the same Redis database.

Not named ``test_*.py``, so the suite does not collect it on its own: it is
given to a second ``pytest`` by path. Its one test counts on the key the
first run has counted on; it must find nothing there (the runs do not share
counters), and its fixtures empty its own cache before and after it (which
must leave the first run's counter alone).
"""
from django.conf import settings

from accounts.limits.counters import counters

PROBE_KEY = "parallel-run-probe"


def test_a_run_sees_none_of_another_runs_counts():
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert counters.count(PROBE_KEY, 600) == 1
