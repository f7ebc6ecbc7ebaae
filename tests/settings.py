"""Test settings: the production settings with a throwaway key and a fast hasher."""
import os
import secrets

os.environ.setdefault("DJANGO_SECRET_KEY", "test-" + secrets.token_urlsafe(50))
# Tests deliver the outbox by calling accounts.mail.outbox.deliver_due() (or start the thread themselves).
os.environ.setdefault("MAIL_SENDER_THREAD", "0")
os.environ.setdefault("WEBHOOK_SENDER_THREAD", "0")
# Production mode has no default SITE_URL, the tokens' default issuer: give the tokens one.
os.environ.setdefault("JWT_ISSUER", "http://testserver")

from backend.settings import *  # noqa: E402,F401,F403

# Argon2 stays first in production (tests/test_settings.py checks it); here a
# fast hasher keeps the suite quick. Timing-equalisation logic is hasher-agnostic.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Serve the SPA's static files straight from frontend/static (no collectstatic).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# A file, not SQLite's shared in-memory database: that one locks whole tables
# and ignores the busy timeout, so concurrent requests would fail where the
# real file database queues them. One file per test run, so that two runs in
# one checkout never delete each other's database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(BASE_DIR / "test-artifacts" / f"test-db-{os.getpid()}.sqlite3")  # noqa: F405
    }
    (BASE_DIR / "test-artifacts").mkdir(exist_ok=True)  # noqa: F405

# On Redis (REDIS_URL), this run counts under its own key prefix, and
# tests/conftest.py empties only those keys: two runs sharing one Redis
# database neither add to nor clear each other's counters.
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":  # noqa: F405
    from tests.run_cache import KEY_PREFIX

    CACHES["default"]["KEY_PREFIX"] = KEY_PREFIX  # noqa: F405

# The test client and the live server speak plain HTTP.
SECURE_SSL_REDIRECT = False
