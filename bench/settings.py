"""In-process benchmark settings (``bench/bench.py``, ``bench/scale.py``).

Gatehouse as configured, plus stock simplejwt beside it, run as a Django team
would set it up for rotation: ``ROTATE_REFRESH_TOKENS`` and
``BLACKLIST_AFTER_ROTATION`` with the blacklist app. Both sides use the same
fast password hasher, so hashing is out of the comparison. Throttles are
lifted so that they do not cut the runs short (the throttle checks still run).
"""
import atexit
import os
import secrets
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + secrets.token_urlsafe(50))
if not os.environ.get("DATABASE_URL"):
    # A scratch SQLite file, removed when the process ends (a million sessions is ~0.5 GB).
    _scratch = Path(tempfile.mkdtemp(prefix="gatehouse-bench-"))
    atexit.register(shutil.rmtree, _scratch, ignore_errors=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{_scratch / 'bench.sqlite3'}"

from bench.server_settings import *  # noqa: E402,F401,F403
from bench.server_settings import REST_FRAMEWORK, SIMPLE_JWT  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SIMPLE_JWT = {**SIMPLE_JWT, "ROTATE_REFRESH_TOKENS": True, "BLACKLIST_AFTER_ROTATION": True}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {scope: "1000000/min" for scope in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]},
}
ALLOWED_HOSTS = ["*"]
# The test client speaks plain HTTP; serve static files from the finders (no collectstatic).
SECURE_SSL_REDIRECT = False
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
