"""Gatehouse settings.

Every environment variable the app honours is read here and nowhere else
(see the configuration table in README.md).
"""
import os
from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac

from backend.env import (
    cookie_domain_from,
    database_from_url,
    development_secret_key,
    development_site_url,
    email_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_origins,
    env_rate,
    env_samesite,
    env_str,
    env_subset,
    require_strong_secret,
    site_url_from,
    webauthn_rp_id_from,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production mode (DJANGO_DEBUG off) needs a "
            "long random secret, e.g. DJANGO_SECRET_KEY=$(python -c "
            "'import secrets; print(secrets.token_urlsafe(50))'). "
            "For local development set DJANGO_DEBUG=1 instead."
        )
    SECRET_KEY = development_secret_key(BASE_DIR / ".secret_key")
elif not DEBUG:
    SECRET_KEY = require_strong_secret("DJANGO_SECRET_KEY", SECRET_KEY)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The answer's language: the account's saved one (set at authentication), else Accept-Language.
    "accounts.language.LanguageMiddleware",
    # Before the first middleware that reads the Host: load balancers probe by IP address.
    "backend.middleware.HealthProbeMiddleware",
    # A password check refused for want of a hashing slot, outside the API: 503 with Retry-After, not 500.
    "backend.middleware.HashingBusyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.admin.session_policy.AdminSessionPolicyMiddleware",
    # MFA_REQUIRED: an admin without a second factor sees only where to enrol (accounts/admin/enrolment.py).
    "accounts.admin.enrolment.AdminEnrolmentMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {"default": database_from_url(env_str("DATABASE_URL"), default_sqlite=BASE_DIR / "db.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Cache (throttling) ---------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Counters only: a Redis that hangs must cost milliseconds, not
            # seconds (accounts.limits.counters then falls back to process memory).
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
            # Deployments (or test servers) sharing one Redis database keep their keys apart.
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", ""),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Passwords ------------------------------------------------------------
# Argon2id at OWASP's parameters (ARGON2_* below, accounts/hashing.py); a hash made with others is
# still checked and made again at the next login.
PASSWORD_HASHERS = [
    "accounts.hashing.GatehouseArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The languages an account may choose (PATCH /api/auth/me/ `language`, GET /api/auth/languages/);
# each but English has its catalog in locale/ (compiled by `make install`).
LANGUAGES = [
    ("en", "English"),
    ("de", "German"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("pt-br", "Brazilian Portuguese"),
    ("ar", "Arabic"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# One way to write a date on every admin page: 2026-12-07 14:05 UTC (accounts/formats/en/formats.py).
FORMAT_MODULE_PATH = ["accounts.formats"]

# --- Static files (the SPA) -----------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    ("app", BASE_DIR / "frontend" / "static" / "app"),
    # The client package's modules (frontend/client/src), which the app imports
    # from /static/client/. On disk frontend/static/client links to the same
    # folder, so that the app's imports resolve alike in node's tests.
    ("client", BASE_DIR / "frontend" / "client" / "src"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Gatehouse tokens -----------------------------------------------------

def _pem(name):
    """A PEM from the environment; ``\\n`` escapes allowed for one-line variables."""
    value = env_str(name)
    return value.replace("\\n", "\n") if value else None


def _introspection_secret():
    value = env_str("INTROSPECTION_SECRET")
    return require_strong_secret("INTROSPECTION_SECRET", value) if value else None


JWT_SIGNING_KEY = env_str("JWT_SIGNING_KEY") or salted_hmac(
    "gatehouse.jwt-signing-key", "v1", secret=SECRET_KEY, algorithm="sha256"
).hexdigest()
if len(JWT_SIGNING_KEY.encode()) < 32:
    raise ImproperlyConfigured("JWT_SIGNING_KEY must be at least 32 bytes long (RFC 7518 §3.2).")

GATEHOUSE = {
    "REFRESH_TOKEN_IDLE_TTL": env_int("REFRESH_TOKEN_IDLE_TTL", 7 * 24 * 3600, minimum=1),
    "REFRESH_TOKEN_ABSOLUTE_TTL": env_int("REFRESH_TOKEN_ABSOLUTE_TTL", 30 * 24 * 3600, minimum=1),
    "REAUTH_MAX_AGE": env_int("REAUTH_MAX_AGE", 300, minimum=1),
    "REFRESH_TOKEN_SHORT_TTL": env_int("REFRESH_TOKEN_SHORT_TTL", 12 * 3600, minimum=1),
    # Second factors (accounts/mfa/): the second step of a login lives at most 5 minutes.
    "MFA_TOKEN_TTL": 300,
    "TOTP_ISSUER": env_str("TOTP_ISSUER", "Gatehouse"),
    # Who must have a second factor (accounts/mfa/policy.py): nobody, staff, or everyone.
    "MFA_REQUIRED": env_choice("MFA_REQUIRED", ["none", "staff", "all"], "none"),
    # Days a browser trusted at the second step skips it (accounts/devices/trusted.py); 0 turns it off.
    "MFA_TRUST_DAYS": env_int("MFA_TRUST_DAYS", 30, minimum=0),
    "REFRESH_TOKEN_GRACE": env_int("REFRESH_TOKEN_GRACE", 10, minimum=0),
    "REFRESH_COOKIE_NAME": "refresh_token",
    "REFRESH_COOKIE_PATH": "/api/auth/",
    "REFRESH_COOKIE_SECURE": env_bool("REFRESH_COOKIE_SECURE", True),
    # Strict (which another origin of the same site already receives) or Lax; never None
    # (docs/building-on-gatehouse.md, "Another origin of the same site").
    "REFRESH_COOKIE_SAMESITE": env_samesite("REFRESH_COOKIE_SAMESITE", "Strict"),
    # Unset: host-only (the cookie goes to this host alone); checked against SITE_URL below.
    "REFRESH_COOKIE_DOMAIN": None,
    "SIGNUP_ENABLED": env_bool("SIGNUP_ENABLED", True),
    "ACCESS_TOKEN_BINDING": env_choice("ACCESS_TOKEN_BINDING", ["off", "cookie"], "off"),
    "TRUSTED_PROXY_COUNT": env_int("TRUSTED_PROXY_COUNT", 0),
    # Access tokens whose signature each process has checked (accounts/sessions/verified_tokens.py).
    "VERIFIED_TOKEN_CACHE_SIZE": env_int("VERIFIED_TOKEN_CACHE_SIZE", 4096, minimum=0),
    # Live sessions each process remembers, told of changes by PostgreSQL (accounts/sessions/live_sessions.py).
    "LIVE_SESSION_CACHE_SIZE": env_int("LIVE_SESSION_CACHE_SIZE", 10000, minimum=0),
    "LIVE_SESSION_CACHE_MAX_AGE": env_int("LIVE_SESSION_CACHE_MAX_AGE", 300, minimum=1),
    # Argon2id (accounts/hashing.py): OWASP's 19 MiB, 2 passes, 1 lane; at most one hash at once per process.
    "ARGON2_TIME_COST": env_int("ARGON2_TIME_COST", 2, minimum=1),
    "ARGON2_MEMORY_KIB": env_int("ARGON2_MEMORY_KIB", 19 * 1024, minimum=8),
    "ARGON2_PARALLELISM": env_int("ARGON2_PARALLELISM", 1, minimum=1),
    "PASSWORD_HASH_CONCURRENCY": env_int("PASSWORD_HASH_CONCURRENCY", 1, minimum=1),
    # Hashes at once across every process sharing REDIS_URL (accounts/limits/admission.py); beyond them a
    # login is answered 503 with Retry-After at once. Default: half this machine's CPUs, at least one.
    "PASSWORD_HASH_SLOTS": env_int("PASSWORD_HASH_SLOTS", max(1, (os.cpu_count() or 2) // 2), minimum=1),
    "PASSWORD_HASH_SLOT_LEASE": env_int("PASSWORD_HASH_SLOT_LEASE", 5, minimum=1),
    "PASSWORD_HASH_RETRY_AFTER": env_int("PASSWORD_HASH_RETRY_AFTER", 1, minimum=1),
    "RETENTION_DAYS": env_int("GATEHOUSE_RETENTION_DAYS", 30, minimum=1),
    # Seconds an admin session may go unused (accounts/admin/session_policy.py).
    "ADMIN_SESSION_IDLE_TTL": env_int("ADMIN_SESSION_IDLE_TTL", 2 * 3600, minimum=1),
    # Other services authenticate to POST /api/auth/introspect/ with it; unset, the route is a 404.
    "INTROSPECTION_SECRET": _introspection_secret(),
    # Access-token keys (see accounts/sessions/jwt_keys.py).
    "JWT": {
        "ALGORITHM": env_str("JWT_ALGORITHM", "HS256"),
        "SIGNING_KEY": JWT_SIGNING_KEY,
        "PRIVATE_KEY": _pem("JWT_PRIVATE_KEY"),
        "PREVIOUS_PUBLIC_KEYS": _pem("JWT_PREVIOUS_PUBLIC_KEYS"),
        # Claims other services pin (None: no such claim, none accepted).
        "ISSUER": env_str("JWT_ISSUER") or None,  # None: SITE_URL, read when the keys are (jwt_keys.issuer)
        "AUDIENCE": env_str("JWT_AUDIENCE") or None,
    },
    # Sign-in with other identity providers (accounts/federation/): a sign-in sent to a provider must come
    # back within FEDERATION_STATE_TTL seconds; providers' discovery documents and keys are kept as long as
    # FEDERATION_METADATA_TTL.
    "FEDERATION_STATE_TTL": env_int("FEDERATION_STATE_TTL", 600, minimum=1),
    "FEDERATION_METADATA_TTL": env_int("FEDERATION_METADATA_TTL", 3600, minimum=1),
    # Exponential login backoff (see accounts/limits/backoff.py).
    "LOGIN_BACKOFF": {
        "FREE_ATTEMPTS_PER_ACCOUNT_AND_IP": 5,
        "FREE_ATTEMPTS_PER_IP": 20,
        "FREE_ATTEMPTS_PER_ACCOUNT": 20,
        "MAX_DELAY_SECONDS": 900,
        "MAX_ACCOUNT_DELAY_SECONDS": 60,
    },
}

# simplejwt validates claims and expiry; signing and key choice go through
# accounts.sessions.jwt_keys (a ``kid`` in every token, asymmetric keys, rotation).
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=env_int("ACCESS_TOKEN_TTL", 300, minimum=1)),
    "AUTH_TOKEN_CLASSES": ("accounts.sessions.jwt_keys.GatehouseAccessToken",),
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "TOKEN_TYPE_CLAIM": "token_type",
    "JTI_CLAIM": "jti",
    "LEEWAY": 0,
    "UPDATE_LAST_LOGIN": False,
}

# --- Mail and account recovery (accounts/mail/, accounts/recovery/) -----------
# The app's public origin: every link in a mail starts with it, never with the
# request's Host. Unset in production: recovery answers 503 (see README).
# In development it defaults to where `make run` serves (its HOST and PORT), so
# `make run PORT=8300` mails links to port 8300; production has no default.
_DEVELOPMENT_SITE_URL = development_site_url(env_str("HOST"), env_str("PORT")) if DEBUG else None
SITE_URL = site_url_from(env_str("SITE_URL") or _DEVELOPMENT_SITE_URL)
# Unset in production: mail is queued in the outbox but not delivered, and the
# recovery routes answer 503, until it is set.
EMAIL_URL = env_str("EMAIL_URL") or ("console:" if DEBUG else None)
if EMAIL_URL:
    globals().update(email_from_url(EMAIL_URL))
DEFAULT_FROM_EMAIL = SERVER_EMAIL = env_str("EMAIL_FROM") or "Gatehouse <no-reply@localhost>"
GATEHOUSE.update({
    "PASSWORD_RESET_TTL": env_int("PASSWORD_RESET_TTL", 3600, minimum=60),
    # Each web process delivers the outbox in a background thread; 0 when
    # `manage.py send_mail_outbox --loop` does it instead.
    "MAIL_SENDER_THREAD": env_bool("MAIL_SENDER_THREAD", True),
    "MAIL_MAX_ATTEMPTS": env_int("MAIL_MAX_ATTEMPTS", 8, minimum=1),
    "MAIL_RETRY_SECONDS": 30,  # doubled after each failure ...
    "MAIL_RETRY_MAX_SECONDS": 3600,  # ... up to this
    # Webhooks (accounts/webhooks/): delivered by each web process's thread, dead after this many attempts.
    "WEBHOOK_SENDER_THREAD": env_bool("WEBHOOK_SENDER_THREAD", True),
    "WEBHOOK_MAX_ATTEMPTS": env_int("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1),
    # Gatehouse as an OpenID Provider: token requests per client and minute (429 slow_down beyond).
    "OAUTH_TOKEN_RATE_PER_MINUTE": env_int("OAUTH_TOKEN_RATE_PER_MINUTE", 120, minimum=1),
    "PASSWORD_RESET_RATE_PER_ADDRESS": env_rate("PASSWORD_RESET_RATE_PER_ADDRESS", "3/hour"),
    # Verified addresses and change of address (accounts/recovery/addresses.py).
    "SIGNUP_EMAIL_VERIFICATION": env_choice("SIGNUP_EMAIL_VERIFICATION", ["none", "optional", "mandatory"], "optional"),
    "EMAIL_VERIFICATION_TTL": env_int("EMAIL_VERIFICATION_TTL", 3 * 24 * 3600, minimum=60),
    "EMAIL_VERIFY_RESEND_RATE_PER_ADDRESS": env_rate("EMAIL_VERIFY_RESEND_RATE_PER_ADDRESS", "3/hour"),
    # Change-of-address links sent to one new address, whichever accounts ask.
    "EMAIL_CHANGE_RATE_PER_ADDRESS": env_rate("EMAIL_CHANGE_RATE_PER_ADDRESS", "3/hour"),
    # Sign-in by a code mailed to the account's address (accounts/email_codes/).
    "LOGIN_BY_CODE": env_bool("LOGIN_BY_CODE", True),
    "LOGIN_CODE_RATE_PER_ADDRESS": env_rate("LOGIN_CODE_RATE_PER_ADDRESS", "5/hour"),
    "LOGIN_CODE_CONFIRM_RATE_PER_ADDRESS": env_rate("LOGIN_CODE_CONFIRM_RATE_PER_ADDRESS", "15/hour"),
    # Security notices by mail (accounts/mail/notices.py): the ones to send.
    "MAIL_NOTICES": env_subset(
        "MAIL_NOTICES",
        ["password_changed", "password_reset", "email_changed", "refresh_reuse", "new_device", "username_changed",
         "account_deleted"],
    ),
})

# --- Passkeys (accounts/passkeys/) ------------------------------------------------
# The WebAuthn relying party ID; unset, it is SITE_URL's host (accounts/passkeys/relying_party.py).
WEBAUTHN_RP_ID = webauthn_rp_id_from(env_str("WEBAUTHN_RP_ID"), SITE_URL)
# A parent domain of SITE_URL's host shares the token cookies with its other hosts (accounts/api/cookies.py).
GATEHOUSE["REFRESH_COOKIE_DOMAIN"] = cookie_domain_from(env_str("REFRESH_COOKIE_DOMAIN"), SITE_URL)

# --- REST framework ---------------------------------------------------------
REST_FRAMEWORK = {
    # Personal access tokens (Bearer gat_…) first: that class answers only for
    # them, and refuses them on every view that does not allow them.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.personal_tokens.authentication.PersonalTokenAuthentication",
        "accounts.sessions.authentication.SessionBoundJWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["accounts.api.parsers.BoundedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "accounts.api.exceptions.json_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "NUM_PROXIES": GATEHOUSE["TRUSTED_PROXY_COUNT"],
    "DEFAULT_THROTTLE_RATES": {
        "login_ip": env_rate("LOGIN_RATE_PER_IP", "30/min"),
        "refresh_ip": env_rate("REFRESH_RATE_PER_IP", "120/min"),
        "register_ip": env_rate("REGISTER_RATE_PER_IP", "10/hour"),
        "password_reset_ip": env_rate("PASSWORD_RESET_RATE_PER_IP", "10/hour"),
        "password_reset_confirm_ip": env_rate("PASSWORD_RESET_CONFIRM_RATE_PER_IP", "30/hour"),
        "password_reset_account_ip": env_rate("PASSWORD_RESET_CONFIRM_RATE_PER_IP", "30/hour"),
        "introspect_ip": env_rate("INTROSPECTION_RATE_PER_IP", "600/min"),
        "email_verify_ip": env_rate("EMAIL_VERIFY_RATE_PER_IP", "30/hour"),
        "email_verify_resend_ip": env_rate("EMAIL_VERIFY_RESEND_RATE_PER_IP", "10/hour"),
        "email_change_ip": env_rate("EMAIL_CHANGE_RATE_PER_IP", "10/hour"),
        "login_code_ip": env_rate("LOGIN_CODE_RATE_PER_IP", "10/hour"),
        "login_code_confirm_ip": env_rate("LOGIN_CODE_CONFIRM_RATE_PER_IP", "30/hour"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Gatehouse API",
    "DESCRIPTION": "JWT access tokens with rotating, reuse-detecting refresh tokens.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # One tag per operation, by path (auth, sessions, account, ...), so Swagger UI groups them.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums", "accounts.api.schema.group_operations_by_tag",
        "accounts.api.schema.document_enrolment_refusals",
    ],
    # Serve Swagger UI's assets ourselves: no CDN, and a strict CSP stays possible.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Security schemes no authentication class stands for (accounts/api/schema.py names them per route).
    "APPEND_COMPONENTS": {"securitySchemes": {
        "refreshCookie": {
            "type": "apiKey", "in": "cookie", "name": GATEHOUSE["REFRESH_COOKIE_NAME"],
            "description": "The refresh token, an HttpOnly cookie set by login and refresh (Path=/api/auth/).",
        },
        "introspectionSecret": {
            "type": "http", "scheme": "bearer",
            "description": "INTROSPECTION_SECRET, for other services calling the introspection route.",
        },
    }},
}

# --- CORS and cross-site requests -------------------------------------------
# Exact origins only: credentials are allowed, so a wildcard never is (env_origins refuses one).
CORS_ALLOWED_ORIGINS = env_origins("CORS_ALLOWED_ORIGINS")
CORS_ALLOW_ALL_ORIGINS = False
CORS_ALLOW_CREDENTIALS = True
# A page on another origin reads these only when listed: the server's clock (the
# client judges expiry by it), the wait after a 429, and a scope refusal.
CORS_EXPOSE_HEADERS = ["Date", "Retry-After", "WWW-Authenticate"]
CORS_URLS_REGEX = r"^/api/.*$"
CSRF_TRUSTED_ORIGINS = CORS_ALLOWED_ORIGINS
# JSON 403 under /api/, Django's page elsewhere.
CSRF_FAILURE_VIEW = "backend.errors.csrf_failure"

# --- Admin sessions ---------------------------------------------------------
# Django's sessions serve the admin alone. The table holds a keyed digest of
# each session key, not the key (accounts/admin/session_store.py); a session
# ends after ADMIN_SESSION_IDLE_TTL unused (accounts/admin/session_policy.py).
SESSION_ENGINE = "accounts.admin.session_store"
SESSION_COOKIE_AGE = GATEHOUSE["ADMIN_SESSION_IDLE_TTL"]

# --- Security headers ---------------------------------------------------------
# The SPA has no inline script or style and no eval, so the policy can be strict.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF, *CORS_ALLOWED_ORIGINS],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
if not DEBUG:
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^api/health/$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if GATEHOUSE["TRUSTED_PROXY_COUNT"] else None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"accounts": {"level": env_str("GATEHOUSE_LOG_LEVEL", "INFO")}},
}
