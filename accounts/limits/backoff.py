"""Exponential backoff after failed password checks, per account and per client.

Not a lockout: the first failures are free, then each further failure
doubles how long the next attempt must wait (1 s, 2 s, 4 s, … up to a cap).
That is nothing to a person who mistyped and ruinous for a guessing script.

Three counters:

- account + client: a source guessing one account; long cap;
- client: a source spraying many accounts; long cap;
- account from anywhere: a distributed attack on one account; short cap.

On a client the account has logged in from before, only the first counter
applies: neither a distributed attack on the account nor a neighbour behind
the same NAT or IPv6 /64 can lock that user out there.

A client is an IP address, or its /64 network for IPv6 (one host holds a
whole /64). Counts are atomic increments; a success clears the account's
count for that client and remembers the client (renewed at most daily). One
cache read answers whether an attempt may go ahead and what a success must
clear, so a clean login costs that read only. Guesses sent in parallel may
all pass the check before the first failure is counted: the per-IP rate
limit (also atomic) bounds that window.
"""
import hashlib
import math
import time
from dataclasses import dataclass

from accounts import conf
from accounts.identity import canonical_username
from accounts.limits.counters import counters
from accounts.limits.net import client_key

# Every key the backoff writes starts so (the counters' cache holds other state too).
KEY_PREFIX = "gatehouse:login-backoff:"

_FORGET_AFTER_SECONDS = 3600
_REMEMBER_CLIENT_SECONDS = 30 * 24 * 3600
_RENEW_KNOWN_CLIENT_AFTER_SECONDS = 24 * 3600


@dataclass(frozen=True)
class _Counter:
    name: str
    free_attempts: int
    max_delay: int

    @property
    def failures_key(self):
        return f"{self.name}:n"

    @property
    def blocked_until_key(self):
        return f"{self.name}:t"


def _key(kind, *parts):
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()
    return f"{KEY_PREFIX}{kind}:{digest}"


def _account(username):
    # The same canonical form as sign-up and the login lookup: "Ａlice" is alice.
    return canonical_username(username)


def _known_client_key(username, ip_address):
    return _key("known", _account(username), client_key(ip_address))


def _counters(username, ip_address, *, include_account_wide=True):
    policy = conf.login_backoff()
    account, client = _account(username), client_key(ip_address)
    found = [
        _Counter(_key("account-client", account, client), policy["FREE_ATTEMPTS_PER_ACCOUNT_AND_IP"],
                 policy["MAX_DELAY_SECONDS"]),
        _Counter(_key("client", client), policy["FREE_ATTEMPTS_PER_IP"], policy["MAX_DELAY_SECONDS"]),
    ]
    if include_account_wide:
        found.append(_Counter(_key("account", account), policy["FREE_ATTEMPTS_PER_ACCOUNT"],
                              policy["MAX_ACCOUNT_DELAY_SECONDS"]))
    return found


@dataclass(frozen=True)
class Attempt:
    """What the counters said about one attempt by ``username`` from ``ip_address``."""

    username: str
    ip_address: str | None
    wait: int  # seconds the attempt must wait; 0 when it may go ahead
    has_failures: bool  # the account+client counter holds failures for a success to clear
    known_since: float | None  # when a success from this client was last remembered


def check(*, username, ip_address, now=None) -> Attempt:
    """Read every counter this attempt depends on, in one cache call."""
    now = time.time() if now is None else now
    known_key = _known_client_key(username, ip_address)
    applicable = _counters(username, ip_address, include_account_wide=True)
    account_client = applicable[0]
    values = counters.get_many(
        [known_key, account_client.failures_key, *(c.blocked_until_key for c in applicable)]
    )
    known_since = values.get(known_key)
    if known_since:
        # A client this account used before: only its own account+client
        # counter applies, so neither a distributed attack on the account nor
        # a neighbour behind the same NAT or /64 can lock this user out.
        applicable = applicable[:1]
    longest = max(values.get(c.blocked_until_key, 0) - now for c in applicable)
    return Attempt(
        username=username,
        ip_address=ip_address,
        wait=math.ceil(longest) if longest > 0 else 0,
        has_failures=bool(values.get(account_client.failures_key)),
        # Earlier releases stored True, which as an int (1) reads as "long ago": renewed at the next login.
        known_since=known_since if isinstance(known_since, (int, float)) and known_since else None,
    )


def seconds_to_wait(*, username, ip_address, now=None) -> int:
    """How long this attempt must wait; 0 when it may go ahead."""
    return check(username=username, ip_address=ip_address, now=now).wait


def record_failure(*, username, ip_address, now=None) -> None:
    now = time.time() if now is None else now
    for counter in _counters(username, ip_address):
        ttl = _FORGET_AFTER_SECONDS + counter.max_delay
        failures = counters.count(counter.failures_key, ttl)
        over = failures - counter.free_attempts
        if over > 0:
            counters.set(counter.blocked_until_key, now + min(2 ** (over - 1), counter.max_delay), ttl)


def record_success(attempt: Attempt, *, now=None) -> None:
    """Clear the account's failures from this client and remember the client; no write when neither is due.

    What to clear was read by ``check``, before the password hash: a failure
    counted for the same account and client while this attempt was hashing
    stays counted (stricter, never looser).
    """
    now = time.time() if now is None else now
    if attempt.has_failures:
        account_client = _counters(attempt.username, attempt.ip_address)[0]
        counters.delete_many([account_client.failures_key, account_client.blocked_until_key])
    if attempt.known_since is None or now - attempt.known_since >= _RENEW_KNOWN_CLIENT_AFTER_SECONDS:
        counters.set(_known_client_key(attempt.username, attempt.ip_address), now, _REMEMBER_CLIENT_SECONDS)
