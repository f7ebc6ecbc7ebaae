"""Settings for the benchmark *server* (``bench/load.py``, ``tests/test_multiserver.py``).

Production settings unchanged (Argon2, ``DJANGO_DEBUG`` off, throttles and
everything else read from the environment), plus the bench-only routes of
``bench.urls``: the unauthenticated ceiling view and stock simplejwt's views.
The blacklist app is installed only so that stock simplejwt runs as a team
would configure it; Gatehouse's own code paths never touch its tables.
"""
from backend.settings import *  # noqa: F401,F403
from backend.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework_simplejwt.token_blacklist"]
ROOT_URLCONF = "bench.urls"
