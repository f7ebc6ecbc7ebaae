"""Rate limits for login, refresh, sign-up and introspection, per client IP.

Failed logins are slowed further, per account and per IP, by the exponential
backoff in ``accounts.limits.backoff``.

Counters live in the default cache (Redis when ``REDIS_URL`` is set, so all
app servers share them). The client IP comes from ``accounts.limits.net``, which
ignores a forged ``X-Forwarded-For`` unless a trusted proxy is configured.
"""
import time

from django.utils.crypto import salted_hmac
from rest_framework.exceptions import Throttled
from rest_framework.throttling import SimpleRateThrottle

from accounts.identity import canonical_email
from accounts.limits.counters import counters
from accounts.limits.net import client_ip, client_key


class _ClientIPThrottle(SimpleRateThrottle):
    """At most N requests per fixed window, per IPv4 address or IPv6 /64.

    DRF's own throttle reads a request history and writes it back, so
    requests arriving together all pass; here each request is one atomic
    increment of the current window's counter. (A burst straddling two
    windows may see up to twice the rate.)
    """

    cache = counters

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_key(client_ip(request))}

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        return self.cache.count(f"{key}:{window}", self.duration) <= self.num_requests

    def wait(self):
        return max(self.window_ends_at - self.now, 1)


class LoginIPThrottle(_ClientIPThrottle):
    scope = "login_ip"


class RefreshIPThrottle(_ClientIPThrottle):
    scope = "refresh_ip"


class RegisterIPThrottle(_ClientIPThrottle):
    scope = "register_ip"


class PasswordResetIPThrottle(_ClientIPThrottle):
    scope = "password_reset_ip"


class PasswordResetConfirmIPThrottle(_ClientIPThrottle):
    scope = "password_reset_confirm_ip"


class PasswordResetAccountIPThrottle(_ClientIPThrottle):
    """The reset page's question "which account is this link for?": one per opened link."""

    scope = "password_reset_account_ip"


class IntrospectIPThrottle(_ClientIPThrottle):
    """Other services asking about tokens; every request counts, a wrong secret too."""

    scope = "introspect_ip"


class EmailVerifyIPThrottle(_ClientIPThrottle):
    scope = "email_verify_ip"


class EmailVerifyResendIPThrottle(_ClientIPThrottle):
    scope = "email_verify_resend_ip"


class EmailChangeIPThrottle(_ClientIPThrottle):
    scope = "email_change_ip"


class LoginCodeIPThrottle(_ClientIPThrottle):
    """Sign-in codes asked for from one client, whatever the addresses."""

    scope = "login_code_ip"


class LoginCodeConfirmIPThrottle(_ClientIPThrottle):
    """Sign-in codes tried from one client, whatever the addresses."""

    scope = "login_code_confirm_ip"


_ADDRESS_SALT = "gatehouse.limits.address"


def throttle_address(address: str, *, scope: str, rate: str) -> None:
    """At most ``rate`` requests per fixed window for one email address, known or not (429 beyond).

    Counted under a keyed digest of the address's canonical form: every
    spelling of one mailbox counts together, and the cache holds neither
    addresses nor digests anyone could recompute from a list of addresses.
    """
    limit, duration = SimpleRateThrottle.parse_rate(None, rate)
    now = time.time()
    window = int(now // duration)
    digest = salted_hmac(_ADDRESS_SALT, canonical_email(address), algorithm="sha256").hexdigest()[:32]
    if counters.count(f"{scope}:address:{digest}:{window}", duration) > limit:
        raise Throttled(wait=max(1, int((window + 1) * duration - now)))
