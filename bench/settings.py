"""Benchmark settings: Gatehouse as configured, plus stock simplejwt beside it.

Stock simplejwt runs as a Django team would set it up for rotation:
``ROTATE_REFRESH_TOKENS`` and ``BLACKLIST_AFTER_ROTATION`` with the blacklist
app. Both sides use the same fast password hasher, so hashing is out of the
comparison. Throttles are lifted so that they do not cut the runs short.
"""
import os
import secrets
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + secrets.token_urlsafe(32))
os.environ.setdefault(
    "DATABASE_URL", f"sqlite:///{Path(tempfile.mkdtemp(prefix='gatehouse-bench-')) / 'bench.sqlite3'}"
)

from backend.settings import *  # noqa: E402,F401,F403

INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework_simplejwt.token_blacklist"]  # noqa: F405
ROOT_URLCONF = "bench.urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SIMPLE_JWT = {**SIMPLE_JWT, "ROTATE_REFRESH_TOKENS": True, "BLACKLIST_AFTER_ROTATION": True}  # noqa: F405
REST_FRAMEWORK = {  # noqa: F405
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {scope: "1000000/min" for scope in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]},  # noqa: F405
}
ALLOWED_HOSTS = ["*"]
