"""A per-process memory of access tokens whose signature has already been checked.

A browser sends the same access token with every request until it expires,
and checking its signature and claims again each time (PyJWT, in Python)
costs more than the session query that follows it. A token is remembered
only after the full check has passed, keyed by its exact bytes, and each use
checks its expiry again; anything not remembered takes the full path.

What is remembered is the *signature*, never the session: the session and
user query still runs on every request, so logout, revocation and
deactivation still cut a token at once.

A lookup cannot be used to learn a remembered token: Python hashes the key
with a per-process random SipHash key before any byte comparison, so a
guess only reaches the comparison by matching that hash. Changing the keys
or the token settings (``GATEHOUSE``, ``SIMPLE_JWT``, ``SECRET_KEY``, ``SITE_URL``) forgets
everything.
"""
from django.core.signals import setting_changed
from django.dispatch import receiver

from accounts import conf
from accounts.sessions import jwt_keys
from accounts.sessions.lru import ExpiringLRU


class VerifiedTokens(ExpiringLRU):
    """Raw token -> what its full check produced, until the token's ``exp`` (plus the leeway)."""

    def __init__(self):
        super().__init__(get_capacity=conf.verified_token_cache_size)

    def remember(self, raw_token, value, *, expires):
        """Remember ``value`` for a token that passed the full check; ``expires`` is its ``exp``."""
        leeway = jwt_keys.keyring().backend.get_leeway().total_seconds()
        self.put(raw_token, value, deadline=expires + leeway)


verified_tokens = VerifiedTokens()


@receiver(setting_changed)
def _forget_verified_tokens(setting, **kwargs):
    if setting in ("GATEHOUSE", "SIMPLE_JWT", "SECRET_KEY", "SITE_URL"):
        verified_tokens.clear()
