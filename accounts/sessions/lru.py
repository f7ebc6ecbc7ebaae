"""A small thread-safe map that keeps the most recently used entries, each until its deadline."""
import threading
import time
from collections import OrderedDict


class ExpiringLRU:
    """At most ``get_capacity()`` entries (0: keep nothing); an entry is gone once ``time.time()`` reaches its deadline.

    The capacity is asked for at each insertion, so that it follows the settings.
    """

    def __init__(self, get_capacity):
        self._get_capacity = get_capacity
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
        capacity = self._get_capacity()
        if capacity <= 0:
            return
        with self._lock:
            self._entries[key] = (value, deadline)
            self._entries.move_to_end(key)
            while len(self._entries) > capacity:
                self._entries.popitem(last=False)

    def clear(self):
        with self._lock:
            self._entries.clear()

    def __len__(self):
        return len(self._entries)
