"""A small thread-safe map that keeps the most recently used entries, each until its deadline."""
import threading
import time
from collections import OrderedDict


class ExpiringLRU:
    """At most ``capacity()`` entries (0: keep nothing); an entry is gone once ``time.time()`` reaches its deadline."""

    def __init__(self, capacity):
        self._capacity = capacity
        self._entries = OrderedDict()  # key -> (value, deadline)
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            value, deadline = entry
            if time.time() >= deadline:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key, value, *, deadline):
        capacity = self._capacity()
        if capacity <= 0:
            return
        with self._lock:
            self._entries[key] = (value, deadline)
            self._entries.move_to_end(key)
            while len(self._entries) > capacity:
                self._entries.popitem(last=False)

    def discard(self, key):
        with self._lock:
            self._entries.pop(key, None)

    def discard_where(self, predicate):
        """Drop every entry whose value ``predicate`` accepts."""
        with self._lock:
            for key in [key for key, (value, _) in self._entries.items() if predicate(value)]:
                del self._entries[key]

    def clear(self):
        with self._lock:
            self._entries.clear()

    def __len__(self):
        return len(self._entries)
