"""Rate limits for login, refresh and sign-up, per client IP and per account.

Counters live in the default cache (Redis when ``REDIS_URL`` is set, so all
app servers share them). The client IP comes from ``accounts.net``, which
ignores a forged ``X-Forwarded-For`` unless a trusted proxy is configured.
"""
import hashlib

from rest_framework.throttling import SimpleRateThrottle

from accounts.net import client_ip


class _ClientIPThrottle(SimpleRateThrottle):
    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}


class LoginIPThrottle(_ClientIPThrottle):
    scope = "login_ip"


class RefreshIPThrottle(_ClientIPThrottle):
    scope = "refresh_ip"


class RegisterIPThrottle(_ClientIPThrottle):
    scope = "register_ip"


class LoginAccountThrottle(SimpleRateThrottle):
    """Limits guesses against one account, whichever IPs they come from."""

    scope = "login_account"

    def get_cache_key(self, request, view):
        data = request.data
        username = data.get("username") if isinstance(data, dict) else None
        if not isinstance(username, str) or not username:
            return None
        ident = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}
