"""The atomic counter under throttles and backoff: one call once it exists, never left without a timeout."""
import pytest

from accounts.limits import counters as cache_module
from accounts.limits.counters import ResilientCache


class ScriptedCache:
    """Django's cache calls over a dict, recording each call; tests make keys appear or vanish between calls."""

    def __init__(self):
        self.values, self.timeouts, self.calls = {}, {}, []

    def _enter(self, name):
        self.calls.append(name)

    def incr(self, key):
        self._enter("incr")
        if key not in self.values:
            raise ValueError(f"Key {key!r} not found.")
        self.values[key] += 1
        return self.values[key]

    def add(self, key, value, timeout):
        self._enter("add")
        if key in self.values:
            return False
        self.values[key], self.timeouts[key] = value, timeout
        return True

    def touch(self, key, timeout):
        self._enter("touch")
        self.timeouts[key] = timeout
        return True

    def set(self, key, value, timeout):
        self._enter("set")
        self.values[key], self.timeouts[key] = value, timeout


@pytest.fixture
def backend(monkeypatch):
    scripted = ScriptedCache()
    monkeypatch.setattr(cache_module, "caches", {"default": scripted})
    return scripted


def test_a_new_counter_starts_at_one_with_its_timeout(backend):
    assert ResilientCache().count("k", 60) == 1

    assert backend.calls == ["incr", "add"]
    assert backend.timeouts["k"] == 60


def test_an_existing_counter_costs_one_call(backend):
    counters = ResilientCache()
    counters.count("k", 60)
    backend.calls.clear()

    assert counters.count("k", 60) == 2
    assert backend.calls == ["incr"]


def test_a_counter_created_by_another_request_in_between_is_counted_on(backend):
    original_add = backend.add

    def another_request_adds_first(key, value, timeout):
        backend.values[key], backend.timeouts[key] = 1, timeout
        return original_add(key, value, timeout)

    backend.add = another_request_adds_first

    assert ResilientCache().count("k", 60) == 2
    assert backend.calls == ["incr", "add", "incr"]


def test_a_counter_that_the_increment_itself_created_gets_its_timeout_back(backend):
    backend.values["k"] = 0  # as if it had expired and INCR recreated it from nothing, without a timeout

    assert ResilientCache().count("k", 60) == 1

    assert backend.calls == ["incr", "touch"]
    assert backend.timeouts["k"] == 60


def test_a_counter_that_keeps_vanishing_starts_afresh_rather_than_loop(backend):
    counters = ResilientCache()
    original_add = backend.add

    def add_loses_every_race(key, value, timeout):
        original_add(key, value, timeout)
        backend.values.pop(key)  # created by someone else, gone again before our incr
        return False

    backend.add = add_loses_every_race

    assert counters.count("k", 60) == 1
    assert backend.calls == ["incr", "add", "incr", "add", "set"]
    assert backend.timeouts["k"] == 60
