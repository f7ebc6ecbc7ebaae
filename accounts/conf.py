"""Gatehouse's own settings, read from ``settings.GATEHOUSE`` at call time.

Reading on each access (not at import) lets tests override them with
``override_settings`` / pytest-django's ``settings`` fixture.
"""
from datetime import timedelta

from django.conf import settings
from rest_framework_simplejwt.tokens import AccessToken


def _value(name):
    return settings.GATEHOUSE[name]


def access_token_ttl() -> timedelta:
    # The lifetime simplejwt signs into ``exp`` (SIMPLE_JWT, from ACCESS_TOKEN_TTL).
    return AccessToken.lifetime


def idle_ttl() -> timedelta:
    return timedelta(seconds=_value("REFRESH_TOKEN_IDLE_TTL"))


def absolute_ttl() -> timedelta:
    return timedelta(seconds=_value("REFRESH_TOKEN_ABSOLUTE_TTL"))


def reauth_max_age() -> int:
    """Seconds an authentication counts as recent, for the routes that need one."""
    return _value("REAUTH_MAX_AGE")


def mfa_token_ttl() -> timedelta:
    """How long the ``mfa_token`` of a login's second step lives."""
    return timedelta(seconds=_value("MFA_TOKEN_TTL"))


def totp_issuer() -> str:
    """The name authenticator apps show for a Gatehouse account."""
    return _value("TOTP_ISSUER")


def mfa_required() -> str:
    """``none``, ``staff`` or ``all``: whose accounts must have a second factor before they do anything else."""
    return _value("MFA_REQUIRED")


def mfa_trust_days() -> int:
    """Days a browser trusted at the second step may skip it; 0: the choice is not offered."""
    return _value("MFA_TRUST_DAYS")


def short_ttl() -> timedelta:
    """The absolute limit of a session opened without "keep me signed in"."""
    return timedelta(seconds=_value("REFRESH_TOKEN_SHORT_TTL"))


def grace() -> timedelta:
    return timedelta(seconds=_value("REFRESH_TOKEN_GRACE"))


def cookie_name() -> str:
    return _value("REFRESH_COOKIE_NAME")


def cookie_path() -> str:
    return _value("REFRESH_COOKIE_PATH")


def cookie_secure() -> bool:
    return _value("REFRESH_COOKIE_SECURE")


def cookie_samesite() -> str:
    """``Strict`` (default) or ``Lax``, for every token cookie; either reaches another origin of the same site."""
    return _value("REFRESH_COOKIE_SAMESITE")


def cookie_domain():
    """The token cookies' ``Domain``, or None for host-only cookies (the default)."""
    return _value("REFRESH_COOKIE_DOMAIN")


def access_token_binding() -> bool:
    """Whether access tokens are bound to an HttpOnly cookie (OWASP token sidejacking)."""
    return _value("ACCESS_TOKEN_BINDING") == "cookie"


def verified_token_cache_size() -> int:
    """How many verified access tokens each process remembers (0: verify every time)."""
    return _value("VERIFIED_TOKEN_CACHE_SIZE")


def live_session_cache_size() -> int:
    """How many live sessions each process remembers between notifications (PostgreSQL; 0: ask every time)."""
    return _value("LIVE_SESSION_CACHE_SIZE")


def live_session_cache_max_age() -> float:
    """Seconds a remembered live session is trusted at most, notifications or not."""
    return _value("LIVE_SESSION_CACHE_MAX_AGE")


def signup_enabled() -> bool:
    return _value("SIGNUP_ENABLED")


def introspection_secret() -> str | None:
    """The secret other services present to the introspection route (None: the route is off)."""
    return _value("INTROSPECTION_SECRET")


def trusted_proxy_count() -> int:
    return _value("TRUSTED_PROXY_COUNT")


def retention() -> timedelta:
    """How long ended sessions and security events are kept for investigation."""
    return timedelta(days=_value("RETENTION_DAYS"))


def login_backoff() -> dict:
    return _value("LOGIN_BACKOFF")


def federation_state_ttl() -> timedelta:
    """How long a sign-in sent to another identity provider may take to come back (its state's life)."""
    return timedelta(seconds=_value("FEDERATION_STATE_TTL"))


def federation_metadata_ttl() -> int:
    """Seconds a provider's discovery document and keys are kept before they are fetched again."""
    return _value("FEDERATION_METADATA_TTL")


def site_url() -> str | None:
    """The app's public origin (``SITE_URL``), the start of every link in a mail; None when unset."""
    return settings.SITE_URL


def mail_configured() -> bool:
    """Whether ``EMAIL_URL`` is set: without it, mail waits in the outbox."""
    return bool(settings.EMAIL_URL)


def password_reset_ttl() -> timedelta:
    return timedelta(seconds=_value("PASSWORD_RESET_TTL"))


def password_reset_rate_per_address() -> str:
    return _value("PASSWORD_RESET_RATE_PER_ADDRESS")


def mail_sender_thread() -> bool:
    return _value("MAIL_SENDER_THREAD")


def mail_max_attempts() -> int:
    return _value("MAIL_MAX_ATTEMPTS")


def mail_retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed delivery: doubling, capped."""
    base, cap = _value("MAIL_RETRY_SECONDS"), _value("MAIL_RETRY_MAX_SECONDS")
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def signup_email_verification() -> str:
    """``none``, ``optional`` or ``mandatory`` (a login before the address is verified is refused)."""
    return _value("SIGNUP_EMAIL_VERIFICATION")


def email_verification_ttl() -> timedelta:
    """How long a verification or change-of-address link works."""
    return timedelta(seconds=_value("EMAIL_VERIFICATION_TTL"))


def email_verify_resend_rate_per_address() -> str:
    return _value("EMAIL_VERIFY_RESEND_RATE_PER_ADDRESS")


def email_change_rate_per_address() -> str:
    return _value("EMAIL_CHANGE_RATE_PER_ADDRESS")


def mail_notice_enabled(kind: str) -> bool:
    """Whether the security notice ``kind`` (``password_changed``, ``new_device``, …) is mailed."""
    return kind in _value("MAIL_NOTICES")


def webauthn_rp_id() -> str | None:
    """``WEBAUTHN_RP_ID`` as configured; None: it is ``SITE_URL``'s host (``accounts.passkeys.relying_party``)."""
    return getattr(settings, "WEBAUTHN_RP_ID", None)


def cors_allowed_origins() -> list[str]:
    return list(settings.CORS_ALLOWED_ORIGINS)


def login_by_code() -> bool:
    """``LOGIN_BY_CODE``: sign-in by a code mailed to the account's address is offered."""
    return _value("LOGIN_BY_CODE")


def login_code_rate_per_address() -> str:
    """Codes sent to one address per window, whoever asks."""
    return _value("LOGIN_CODE_RATE_PER_ADDRESS")


def login_code_confirm_rate_per_address() -> str:
    """Codes tried for one address per window, from anywhere."""
    return _value("LOGIN_CODE_CONFIRM_RATE_PER_ADDRESS")


def argon2_time_cost() -> int:
    """Argon2id passes over the memory (``accounts.hashing``)."""
    return _value("ARGON2_TIME_COST")


def argon2_memory_kib() -> int:
    """Argon2id memory per hash, in KiB."""
    return _value("ARGON2_MEMORY_KIB")


def argon2_parallelism() -> int:
    """Argon2id lanes."""
    return _value("ARGON2_PARALLELISM")


def password_hash_concurrency() -> int:
    """Password hashes (or checks) one process runs at once."""
    return _value("PASSWORD_HASH_CONCURRENCY")


def password_hash_slots() -> int:
    """Password hashes every process sharing the cache runs at once (``accounts.limits.admission``)."""
    return _value("PASSWORD_HASH_SLOTS")


def password_hash_slot_lease() -> int:
    """Seconds a hashing slot stays taken at most: what a killed worker's slot leaks."""
    return _value("PASSWORD_HASH_SLOT_LEASE")


def password_hash_retry_after() -> int:
    """Seconds a login refused for want of a hashing slot is told to wait (``Retry-After``)."""
    return _value("PASSWORD_HASH_RETRY_AFTER")


def oauth_token_rate() -> int:
    """Requests one OpenID client may make to ``/oauth/token/`` per minute (``OAUTH_TOKEN_RATE_PER_MINUTE``)."""
    return settings.GATEHOUSE.get("OAUTH_TOKEN_RATE_PER_MINUTE", 120)
