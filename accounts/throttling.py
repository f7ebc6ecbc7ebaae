"""Rate limits for login, refresh and sign-up, per client IP.

Failed logins are slowed further, per account and per IP, by the exponential
backoff in ``accounts.backoff``.

Counters live in the default cache (Redis when ``REDIS_URL`` is set, so all
app servers share them). The client IP comes from ``accounts.net``, which
ignores a forged ``X-Forwarded-For`` unless a trusted proxy is configured.
"""
from rest_framework.throttling import SimpleRateThrottle

from accounts.cache import counters
from accounts.net import client_ip, client_key


class _ClientIPThrottle(SimpleRateThrottle):
    """Counts per IPv4 address or IPv6 /64 (see ``accounts.net.client_key``)."""

    cache = counters

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_key(client_ip(request))}


class LoginIPThrottle(_ClientIPThrottle):
    scope = "login_ip"


class RefreshIPThrottle(_ClientIPThrottle):
    scope = "refresh_ip"


class RegisterIPThrottle(_ClientIPThrottle):
    scope = "register_ip"
