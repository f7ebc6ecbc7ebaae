"""Typed readers for environment variables.

Settings are read from the environment in one place (``backend.settings``);
these helpers turn a bad value into a start-up error that names the variable,
instead of a confusing failure much later.
"""
import os
import re
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}.")


def env_int(name, default, *, minimum=0):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}.")
    return value


_RATE = re.compile(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)")


def env_rate(name, default):
    """A DRF throttle rate such as ``30/min``."""
    value = os.environ.get(name, default).strip()
    if not _RATE.fullmatch(value):
        raise ImproperlyConfigured(f"{name} must be a rate like 30/min or 10/hour; got {value!r}.")
    return value


def env_choice(name, choices, default):
    value = (os.environ.get(name) or default).strip()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; got {value!r}.")
    return value


def env_subset(name, choices):
    """A comma-separated choice of ``choices``: all of them when unset, none for an empty value or ``none``."""
    raw = os.environ.get(name)
    if raw is None:
        return frozenset(choices)
    items = {item.strip() for item in raw.split(",") if item.strip()}
    if items == {"none"}:
        return frozenset()
    unknown = sorted(items - set(choices))
    if unknown:
        raise ImproperlyConfigured(
            f"{name} must be a comma-separated list of {', '.join(choices)} (or none); got {', '.join(unknown)}."
        )
    return frozenset(items)


_ORIGIN = re.compile(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?")


def env_origins(name):
    """Comma-separated origins (``scheme://host[:port]``), each exactly as a browser sends ``Origin``.

    The cookie routes and CORS compare origins as strings, so anything else
    (a wildcard, ``null``, a path, a trailing slash, capitals) would either never
    match or match too much: it stops the start with the variable's name.
    """
    origins = env_list(name)
    for origin in origins:
        if not _ORIGIN.fullmatch(origin):
            raise ImproperlyConfigured(
                f"{name} lists origins like https://app.example.com (lowercase scheme and host, "
                f"an optional port, no path, no wildcard); got {origin!r}."
            )
    return origins


def env_samesite(name, default):
    """``Strict`` or ``Lax`` (any case): a refresh cookie is never sent to other sites (no ``None``)."""
    raw = (os.environ.get(name) or default).strip().lower()
    if raw not in ("strict", "lax"):
        raise ImproperlyConfigured(f"{name} must be Strict or Lax; got {os.environ.get(name)!r}.")
    return raw.capitalize()


def env_list(name, default=()):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


_SECRET_MIN_LENGTH = 50
_SECRET_MIN_DISTINCT = 5


def require_strong_secret(name, value) -> str:
    """Refuse a production secret that is short or repetitive (the thresholds of Django's own deploy check).

    Refresh-token MACs and, by default, the JWT key derive from it: a weak
    secret would make every token guessable.
    """
    if len(value) < _SECRET_MIN_LENGTH or len(set(value)) < _SECRET_MIN_DISTINCT:
        raise ImproperlyConfigured(
            f"{name} is too weak: it needs at least {_SECRET_MIN_LENGTH} characters and "
            f"{_SECRET_MIN_DISTINCT} different ones (got {len(value)} characters, {len(set(value))} different). "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    return value


def development_secret_key(path: Path) -> str:
    """Return this checkout's development key, creating it on first use.

    The key never enters the repository (the file is git-ignored) and is only
    used when ``DJANGO_DEBUG`` is on.
    """
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def database_from_url(url, *, default_sqlite: Path) -> dict:
    """Django's database settings for ``DATABASE_URL`` (a SQLite file when unset).

    SQLite runs IMMEDIATE transactions: they take the write lock up front, so
    two concurrent refreshes queue (within the busy timeout) instead of one
    failing with "database is locked" when its read lock cannot be upgraded.
    WAL lets readers go on while a writer holds the lock.
    """
    try:
        config = dj_database_url.parse(url or f"sqlite:///{default_sqlite}")
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL we understand: {error}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        # Keep each worker's connection: opening one (file, PRAGMAs, Django's
        # SQL functions) costs more than an authenticated request's query.
        config["CONN_MAX_AGE"] = 600
    elif config["ENGINE"] == "django.db.backends.postgresql":
        config["CONN_MAX_AGE"] = 60
        config["CONN_HEALTH_CHECKS"] = True
    return config


_EMAIL_SCHEMES = {
    # scheme: (default port, STARTTLS, implicit TLS)
    "smtp": (25, False, False),
    "smtp+tls": (587, True, False),
    "smtp+ssl": (465, False, True),
}


def email_from_url(url) -> dict:
    """Django's email settings for ``EMAIL_URL``.

    ``smtp://[user:pass@]host[:port]`` (plain), ``smtp+tls://`` (STARTTLS),
    ``smtp+ssl://`` (TLS from the first byte), or ``console:`` (print each
    mail, for development). User and password may be percent-encoded. The
    timeout keeps a hanging SMTP server from holding the sender forever; it
    is long (60 s) because a server may take its time to answer the end of
    the message it already has, and a timeout then means a second copy
    (RFC 5321 suggests waiting up to 10 minutes for that answer). Every
    attempt of one outbox row carries the same ``Message-ID``.
    """
    from urllib.parse import unquote, urlsplit

    raw = (url or "").strip()
    if raw in ("console:", "console://"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as error:
        raise ImproperlyConfigured(f"EMAIL_URL is not a mail URL we understand: {error}") from None
    if parts.scheme not in _EMAIL_SCHEMES or not parts.hostname or parts.path not in ("", "/"):
        raise ImproperlyConfigured(
            "EMAIL_URL must look like smtp://[user:pass@]host:port, smtp+tls://…, smtp+ssl://… or console:; "
            f"got a value with scheme {parts.scheme!r}."
        )
    default_port, starttls, implicit_tls = _EMAIL_SCHEMES[parts.scheme]
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or default_port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": starttls,
        "EMAIL_USE_SSL": implicit_tls,
        "EMAIL_TIMEOUT": 60,
    }


def development_site_url(host, port):
    """Where ``make run`` serves (``HOST``, ``PORT``; 127.0.0.1:8000 by default), as a ``SITE_URL``.

    A wildcard address is no place a browser can open: links then name the
    loopback address of the same family.
    """
    host = (host or "").strip() or "127.0.0.1"
    port = (port or "").strip() or "8000"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ImproperlyConfigured(f"PORT must be a TCP port number; got {port!r}.")
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "::1"}.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{int(port)}"


def site_url_from(value):
    """``SITE_URL`` without its trailing slash, checked: an http(s) origin, optionally with a path prefix."""
    from urllib.parse import urlsplit

    if value is None or not value.strip():
        return None
    value = value.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ImproperlyConfigured(f"SITE_URL must be the app's public origin, e.g. https://auth.example.com; got {value!r}.")
    return value


_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def webauthn_rp_id_from(value, site_url):
    """``WEBAUTHN_RP_ID`` checked: a lower-case domain name (never an IP address), which ``SITE_URL``'s host is or is under.

    None when unset: the relying party ID is then ``SITE_URL``'s host,
    derived when it is needed (so a test that changes ``SITE_URL`` moves it too).
    A browser refuses an RP ID that is not the page's domain or a parent of
    it, so a mismatch here could only ever make every passkey fail.
    """
    import ipaddress
    from urllib.parse import urlsplit

    if value is None or not value.strip():
        return None
    rp_id = value.strip()
    labels = rp_id.split(".")
    try:
        ipaddress.ip_address(rp_id)
        is_ip = True
    except ValueError:
        is_ip = False
    if is_ip or len(rp_id) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        raise ImproperlyConfigured(
            f"WEBAUTHN_RP_ID must be a lower-case domain name such as auth.example.com or example.com "
            f"(no scheme, port or IP address); got {rp_id!r}."
        )
    host = urlsplit(site_url).hostname if site_url else None
    if host is not None and host != rp_id and not host.endswith("." + rp_id):
        raise ImproperlyConfigured(
            f"WEBAUTHN_RP_ID {rp_id!r} must be SITE_URL's host ({host!r}) or a domain it is under."
        )
    return rp_id


def cookie_domain_from(value, site_url):
    """``REFRESH_COOKIE_DOMAIN`` checked: None (host-only cookies) or a lower-case domain ``SITE_URL``'s host is or is under.

    A browser silently drops a cookie whose ``Domain`` does not cover the
    host that sets it, so a mismatch would only ever make every login end at
    the first refresh: it stops the start instead. A leading dot is dropped
    (browsers ignore it).
    """
    from urllib.parse import urlsplit

    if value is None or not value.strip():
        return None
    domain = value.strip().removeprefix(".")
    labels = domain.split(".")
    if len(domain) > 253 or not all(_HOST_LABEL.match(label) for label in labels) or domain.replace(".", "").isdigit():
        raise ImproperlyConfigured(
            f"REFRESH_COOKIE_DOMAIN must be a lower-case domain name such as example.com "
            f"(no scheme, port or IP address); got {value!r}."
        )
    host = urlsplit(site_url).hostname if site_url else None
    if host is not None and host != domain and not host.endswith("." + domain):
        raise ImproperlyConfigured(
            f"REFRESH_COOKIE_DOMAIN {domain!r} must be SITE_URL's host ({host!r}) or a domain it is under."
        )
    return domain
