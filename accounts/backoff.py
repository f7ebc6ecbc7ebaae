"""Exponential backoff after failed logins, per account and per client IP.

Not a lockout: the first failures are free, then each further failure
doubles how long the next attempt must wait (1 s, 2 s, 4 s, … up to a cap).
That is nothing to a person who mistyped and ruinous for a guessing script.

Three counters, so that an attacker cannot lock a victim out:

- account + IP: a source guessing one account; long cap;
- IP: a source spraying many accounts; long cap;
- account from anywhere: a distributed attack on one account; short cap, so
  the worst an attacker can do to the real user is make them wait a minute.

A success clears that account's counters for that IP; a quiet hour clears all.
"""
import hashlib
import math
import time
from dataclasses import dataclass

from accounts import conf
from accounts.cache import counters

_FORGET_AFTER_SECONDS = 3600


@dataclass(frozen=True)
class _Counter:
    key: str
    free_attempts: int
    max_delay: int


def _key(kind, *parts):
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()
    return f"gatehouse:login-backoff:{kind}:{digest}"


def _account(username):
    return username.strip().casefold()


def _counters(username, ip_address):
    policy = conf.login_backoff()
    account, ip = _account(username), ip_address or "unknown"
    return [
        _Counter(_key("account-ip", account, ip), policy["FREE_ATTEMPTS_PER_ACCOUNT_AND_IP"], policy["MAX_DELAY_SECONDS"]),
        _Counter(_key("ip", ip), policy["FREE_ATTEMPTS_PER_IP"], policy["MAX_DELAY_SECONDS"]),
        _Counter(_key("account", account), policy["FREE_ATTEMPTS_PER_ACCOUNT"], policy["MAX_ACCOUNT_DELAY_SECONDS"]),
    ]


def seconds_to_wait(*, username, ip_address, now=None) -> int:
    """How long this login attempt must wait; 0 when it may go ahead."""
    now = time.time() if now is None else now
    longest = max(counters.get(c.key, {}).get("blocked_until", 0) - now for c in _counters(username, ip_address))
    return math.ceil(longest) if longest > 0 else 0


def record_failure(*, username, ip_address, now=None) -> None:
    now = time.time() if now is None else now
    for counter in _counters(username, ip_address):
        failures = counters.get(counter.key, {}).get("failures", 0) + 1
        over = failures - counter.free_attempts
        delay = min(2 ** (over - 1), counter.max_delay) if over > 0 else 0
        state = {"failures": failures, "blocked_until": now + delay}
        counters.set(counter.key, state, _FORGET_AFTER_SECONDS + counter.max_delay)


def record_success(*, username, ip_address) -> None:
    counters.delete(_key("account-ip", _account(username), ip_address or "unknown"))
