"""Registering, changing and removing endpoints (the admin and ``manage.py webhook`` both come here).

The URL rule: ``https://`` always, except ``http://`` to a loopback host
(``localhost``, ``127.0.0.0/8``, ``::1``) for development and tests. The
server POSTs to whatever an administrator registers, from inside the
network (server-side request forgery is the risk), which is why only
administrators may register endpoints, redirects are never followed, and
the answer's body is never read or shown.
"""
import ipaddress
from urllib.parse import urlsplit

from django.db import transaction

from accounts.webhooks import crypto, kinds
from accounts.webhooks.models import WebhookEndpoint

URL_RULE = "https:// always; http:// only to a loopback host (localhost, 127.0.0.1, ::1) for development and tests."


def check_url(url: str) -> str:
    """``url`` if the rule above allows it; ValueError with a readable reason otherwise."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        raise ValueError("Not a valid URL.") from None
    if not host or parts.username or parts.password:
        raise ValueError("The URL needs a host and no user name or password in it.")
    if parts.scheme == "https":
        return url
    if parts.scheme == "http" and is_loopback(host):
        return url
    raise ValueError("A webhook URL must start with https:// (http:// only to localhost or 127.0.0.1).")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def set_endpoint(*, url, events, secret=None, active=True) -> tuple[WebhookEndpoint, bool]:
    """Create the endpoint of ``url`` or change it (idempotent); returns (endpoint, created).

    ``secret`` None keeps an existing endpoint's secret; a new endpoint needs one.
    """
    check_url(url)
    event_types = kinds.parse(events)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().filter(url=url).first()
        created = endpoint is None
        if created:
            if secret is None:
                raise ValueError("A new endpoint needs a secret.")
            endpoint = WebhookEndpoint(url=url)
        if secret is not None:
            endpoint.secret_encrypted = crypto.seal(crypto.check_secret(secret))
        endpoint.events = " ".join(event_types)
        endpoint.active = active
        endpoint.save()
    return endpoint, created


def remove_endpoint(*, url) -> bool:
    """Delete the endpoint of ``url`` and its deliveries; False when there was none."""
    endpoint = WebhookEndpoint.objects.filter(url=url).first()
    if endpoint is None:
        return False
    endpoint.delete()
    return True


def signing_secret(endpoint: WebhookEndpoint) -> str:
    return crypto.unseal(endpoint.secret_encrypted)
