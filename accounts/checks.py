"""System checks for settings that start fine but leave a feature half-working.

Run by ``manage.py check --deploy`` (tagged ``deploy``), so development and the
test suite are not nagged. Each warning has an id (``gatehouse.W00n``, listed
in docs/deployment.md) and a hint that says what to set.
"""
import os

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from accounts import conf
from accounts.sessions import jwt_keys


@register(Tags.security, deploy=True)
def access_tokens_name_their_issuer(app_configs, **kwargs):
    """Other services pin ``iss``; without SITE_URL or JWT_ISSUER production tokens carry none."""
    if jwt_keys.issuer():
        return []
    return [
        Warning(
            "Access tokens carry no 'iss' claim, so other services cannot pin the issuer.",
            hint="Set SITE_URL to the site's public URL (or JWT_ISSUER to the issuer name).",
            id="gatehouse.W001",
        )
    ]


@register(Tags.security, deploy=True)
def password_reset_can_send_mail(app_configs, **kwargs):
    """With SITE_URL the app offers "Forgot password"; without EMAIL_URL that link only answers 503."""
    if not conf.site_url() or conf.mail_configured():
        return []
    return [
        Warning(
            "SITE_URL is set but EMAIL_URL is not: password reset answers 503 and no link or notice is mailed.",
            hint="Set EMAIL_URL (e.g. smtp+tls://user:password@smtp.example.com:587) so that mail is sent, "
                 "or unset SITE_URL if this server is not to send links.",
            id="gatehouse.W002",
        )
    ]


@register(Tags.security, deploy=True)
def limits_are_shared_by_every_worker(app_configs, **kwargs):
    """Throttle and backoff counters live in each worker's memory without Redis: N workers, N times the limit."""
    workers = _web_concurrency()
    if workers <= 1 or settings.REDIS_URL:
        return []
    return [
        Warning(
            f"WEB_CONCURRENCY is {workers} but REDIS_URL is not set: rate limits and the login backoff count "
            f"in each worker, so each limit is {workers} times looser.",
            hint="Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) so that every worker shares one set of counters, "
                 "or run a single worker (WEB_CONCURRENCY=1).",
            id="gatehouse.W003",
        )
    ]


def _web_concurrency() -> int:
    """Gunicorn's worker count as it reads it from the environment (``make serve`` sets it); 1 when unset."""
    try:
        return int(os.environ.get("WEB_CONCURRENCY", "1").strip() or 1)
    except ValueError:
        return 1


@register(Tags.security)
def cors_never_pairs_credentials_with_a_wildcard(app_configs, **kwargs):
    """The refresh cookie travels with CORS credentials: only origins named one by one may receive them.

    ``CORS_ALLOWED_ORIGINS`` is checked when it is read from the environment;
    this catches the same mistake made in a settings module of one's own
    (``CORS_ALLOW_ALL_ORIGINS``, a ``*``, an origin regex), which would let any
    site read the answers of the cookie routes.
    """
    if not getattr(settings, "CORS_ALLOW_CREDENTIALS", False):
        return []
    wildcards = []
    if getattr(settings, "CORS_ALLOW_ALL_ORIGINS", False):
        wildcards.append("CORS_ALLOW_ALL_ORIGINS")
    if any("*" in origin or origin == "null" for origin in getattr(settings, "CORS_ALLOWED_ORIGINS", ())):
        wildcards.append("a '*' or 'null' in CORS_ALLOWED_ORIGINS")
    if getattr(settings, "CORS_ALLOWED_ORIGIN_REGEXES", ()):
        wildcards.append("CORS_ALLOWED_ORIGIN_REGEXES")
    if not wildcards:
        return []
    return [
        Error(
            f"CORS allows credentials together with {', '.join(wildcards)}.",
            hint="List each browser app's origin in CORS_ALLOWED_ORIGINS (e.g. https://app.example.com).",
            id="gatehouse.E001",
        )
    ]
