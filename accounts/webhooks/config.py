"""The webhook settings as the code reads them (``settings.GATEHOUSE``, at call time, so tests may override)."""
from datetime import timedelta

from django.conf import settings

_DEFAULTS = {
    "WEBHOOK_SENDER_THREAD": True,
    "WEBHOOK_MAX_ATTEMPTS": 8,
    "WEBHOOK_RETRY_SECONDS": 30,
    "WEBHOOK_RETRY_MAX_SECONDS": 3600,
    "WEBHOOK_TIMEOUT_SECONDS": 10,
}


def _value(name):
    return settings.GATEHOUSE.get(name, _DEFAULTS[name])


def sender_thread() -> bool:
    return bool(_value("WEBHOOK_SENDER_THREAD"))


def max_attempts() -> int:
    return _value("WEBHOOK_MAX_ATTEMPTS")


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: doubling, capped."""
    base, cap = _value("WEBHOOK_RETRY_SECONDS"), _value("WEBHOOK_RETRY_MAX_SECONDS")
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def timeout() -> float:
    return _value("WEBHOOK_TIMEOUT_SECONDS")
