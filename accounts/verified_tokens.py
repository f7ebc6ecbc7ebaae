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
or the token settings (``GATEHOUSE``, ``SIMPLE_JWT``, ``SECRET_KEY``) forgets
everything.
"""
import threading
import time
from collections import OrderedDict

from django.core.signals import setting_changed
from django.dispatch import receiver
from accounts import conf, jwt_keys


class VerifiedTokens:
    """A bounded, least-recently-used map of raw token → (what its check produced, expiry)."""

    def __init__(self):
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, raw_token):
        """What was remembered for ``raw_token`` if it was verified before and has not expired; else None."""
        with self._lock:
            entry = self._entries.get(raw_token)
            if entry is None:
                return None
            value, expires_at = entry
            if time.time() >= expires_at:
                del self._entries[raw_token]
                return None
            self._entries.move_to_end(raw_token)
            return value

    def remember(self, raw_token, value, *, expires):
        """Remember ``value`` for a token that passed the full check, until ``expires`` (its ``exp``) plus the leeway."""
        capacity = conf.verified_token_cache_size()
        if capacity <= 0:
            return
        expires_at = expires + jwt_keys.keyring().backend.get_leeway().total_seconds()
        with self._lock:
            self._entries[raw_token] = (value, expires_at)
            self._entries.move_to_end(raw_token)
            while len(self._entries) > capacity:
                self._entries.popitem(last=False)

    def clear(self):
        with self._lock:
            self._entries.clear()

    def __len__(self):
        return len(self._entries)


verified_tokens = VerifiedTokens()


@receiver(setting_changed)
def _forget_verified_tokens(setting, **kwargs):
    if setting in ("GATEHOUSE", "SIMPLE_JWT", "SECRET_KEY"):
        verified_tokens.clear()
