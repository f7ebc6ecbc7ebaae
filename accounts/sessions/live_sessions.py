"""Each process's memory of live sessions, kept true by PostgreSQL's notifications.

Without it every authenticated request asks the database whether its session
is still live: that query is what makes logout, revocation and deactivation
cut access tokens at once. With it, the answer is remembered, and the
database *tells* every process when it changes: triggers on the session and
user tables (migration ``0010_live_session_notifications``) send a
``pg_notify`` for every change the per-request check reads, whoever makes it,
raw SQL included. A listener thread in each process evicts what it is told.

Fail closed, in this order of precedence:

- the memory answers only while its listener is connected and has nothing
  unread: a notification that has reached the socket but is not yet applied
  sends the request to the database;
- everything is forgotten when the listener loses its connection and again
  when it has listened anew (what was sent meanwhile is lost);
- a read that raced a notification is not remembered: the invalidation
  counter is read before the query and must be unchanged when storing;
- entries are bounded in number (``LIVE_SESSION_CACHE_SIZE``) and age
  (``LIVE_SESSION_CACHE_MAX_AGE``), and a session's remembered expiry is
  checked on every hit;
- nothing is read or remembered inside a transaction (its snapshot may be
  older than the notifications, or hold its own uncommitted writes).

PostgreSQL only: SQLite has no notifications and, in-process, its query is
cheap. A pooler in transaction mode cannot carry LISTEN: point the listener
at the database directly or set ``LIVE_SESSION_CACHE_SIZE=0``.
"""
import logging
import os
import select
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connections

from accounts import conf

logger = logging.getLogger(__name__)

CHANNEL = "gatehouse_sessions"
APPLICATION_NAME = "gatehouse-live-sessions"
HEARTBEAT_SECONDS = 2.0
RECONNECT_DELAY_SECONDS = (0.05, 0.2, 1.0, 2.0)


@dataclass(frozen=True)
class _Entry:
    user_pk: object
    user_values: tuple
    expires_at: object  # aware datetime: the session's expiry as read
    stored_at: float  # time.monotonic()


class LiveSessions:
    """The memory of one process. ``memory()`` gives the process's instance."""

    def __init__(self, *, alias="default"):
        self.alias = alias
        self._entries = OrderedDict()  # session UUID -> _Entry
        self._by_user = {}  # user pk -> set of session UUIDs
        self._lock = threading.Lock()
        self._epoch = 0  # bumped by every invalidation
        self._socket = None  # the listener's socket while it is connected and listening
        self._draining = False  # the listener is reading or applying notifications
        self._stopping = threading.Event()
        self._wake_read, self._wake_write = os.pipe()  # stop() interrupts the listener's wait
        self._thread = None
        self.pid = os.getpid()
        User = get_user_model()
        self._attnames = [field.attname for field in User._meta.concrete_fields]
        self._user_pk = User._meta.pk

    # -- the request side --------------------------------------------------

    def epoch(self) -> int:
        """The invalidation counter: read it before the query whose answer you will ``remember``."""
        return self._epoch

    def user(self, *, session_id, user_pk, now):
        """A fresh instance of the user of a remembered live session; None: ask the database."""
        if not self._trustworthy():
            return None
        entry = self._entries.get(session_id)
        if entry is None or entry.user_pk != user_pk:
            return None
        if entry.expires_at <= now or time.monotonic() - entry.stored_at >= conf.live_session_cache_max_age():
            self.forget_session(session_id)
            return None
        if not self._trustworthy():  # a notification arrived while we looked
            return None
        return get_user_model().from_db(self.alias, self._attnames, list(entry.user_values))

    def remember(self, *, session_id, user, expires_at, epoch) -> bool:
        """Remember a session read live from the database, unless anything was invalidated since ``epoch``."""
        capacity = conf.live_session_cache_size()
        entry = _Entry(user.pk, tuple(getattr(user, name) for name in self._attnames), expires_at, time.monotonic())
        with self._lock:
            if capacity <= 0 or self._socket is None or epoch != self._epoch:
                return False
            self._drop(session_id)
            self._entries[session_id] = entry
            self._by_user.setdefault(entry.user_pk, set()).add(session_id)
            while len(self._entries) > capacity:
                self._drop(next(iter(self._entries)))
            return True

    def _trustworthy(self) -> bool:
        sock = self._socket
        if sock is None or self._draining:
            return False
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return not poller.poll(0)  # anything unread (a notification, an error, the end): not now

    # -- invalidation ------------------------------------------------------

    def forget_session(self, session_id):
        with self._lock:
            self._epoch += 1
            self._drop(session_id)

    def forget_user(self, user_pk):
        with self._lock:
            self._epoch += 1
            for session_id in list(self._by_user.get(user_pk, ())):
                self._drop(session_id)

    def forget_everything(self):
        with self._lock:
            self._epoch += 1
            self._entries.clear()
            self._by_user.clear()

    def _drop(self, session_id):
        entry = self._entries.pop(session_id, None)
        if entry is not None:
            sessions = self._by_user.get(entry.user_pk)
            if sessions is not None:
                sessions.discard(session_id)
                if not sessions:
                    del self._by_user[entry.user_pk]

    def apply(self, payload: str):
        """One notification: ``s:<session id>`` or ``u:<user pk>``; anything else forgets everything."""
        kind, _, key = payload.partition(":")
        try:
            if kind == "s":
                self.forget_session(uuid.UUID(key))
                return
            if kind == "u":
                self.forget_user(self._user_pk.to_python(key))
                return
        except Exception:  # noqa: BLE001 - an unreadable payload must still invalidate
            pass
        self.forget_everything()

    def __len__(self):
        return len(self._entries)

    @property
    def connected(self) -> bool:
        return self._socket is not None

    # -- the listener ------------------------------------------------------

    def start(self):
        self._thread = threading.Thread(target=self._listen_forever, name="gatehouse-live-sessions", daemon=True)
        self._thread.start()

    def stop(self, timeout=5.0):
        self._stopping.set()
        os.write(self._wake_write, b"x")
        if self._thread is not None:
            self._thread.join(timeout)
        for fd in (self._wake_read, self._wake_write):
            os.close(fd)

    def _listen_forever(self):
        failures = 0
        while not self._stopping.is_set():
            try:
                with self._connect() as listener:
                    failures = 0
                    self._serve(listener)
            except Exception as error:  # noqa: BLE001 - any failure: stop answering, reconnect
                self._lost(error)
                failures += 1
                delay = RECONNECT_DELAY_SECONDS[min(failures, len(RECONNECT_DELAY_SECONDS)) - 1]
                self._stopping.wait(delay)
        self._lost(None)

    def _connect(self):
        import psycopg

        params = connections[self.alias].get_connection_params()
        for driver_only in ("context", "cursor_factory", "prepare_threshold", "server_side_binding"):
            params.pop(driver_only, None)
        params["application_name"] = APPLICATION_NAME  # to be found in pg_stat_activity
        params.setdefault("keepalives", 1)
        params.setdefault("keepalives_idle", 5)
        params.setdefault("keepalives_interval", 2)
        params.setdefault("keepalives_count", 3)
        listener = psycopg.connect(autocommit=True, **params)
        listener.add_notify_handler(lambda notify: self.apply(notify.payload))
        listener.execute(f"LISTEN {CHANNEL}")
        # Listening from here on; what changed before is unknown: start empty.
        self.forget_everything()
        self._socket = listener.pgconn.socket
        logger.info("Live-session memory: listening for session changes.")
        return listener

    def _serve(self, listener):
        from psycopg import pq

        pgconn = listener.pgconn
        poller = select.poll()
        poller.register(self._socket, select.POLLIN)
        poller.register(self._wake_read, select.POLLIN)
        while not self._stopping.is_set():
            readable = [fd for fd, _ in poller.poll(HEARTBEAT_SECONDS * 1000) if fd != self._wake_read]
            self._draining = True
            try:
                if readable:
                    pgconn.consume_input()
                    while (notify := pgconn.notifies()) is not None:
                        self.apply(notify.extra.decode())
                    if pgconn.status != pq.ConnStatus.OK:
                        raise ConnectionError("the listener's connection has closed")
                else:
                    listener.execute("SELECT 1")  # a dead connection shows itself; notifications go to the handler
            finally:
                self._draining = False

    def _lost(self, error):
        with self._lock:
            was_listening = self._socket is not None
            self._socket = None
        self.forget_everything()
        if error is not None and was_listening:
            logger.warning("Live-session memory: listener lost (%s); every request asks the database.", error)


_memory = None
_memory_lock = threading.Lock()


def memory(alias="default"):
    """This process's memory of live sessions, its listener started (again after a fork); None where unused."""
    global _memory
    connection = connections[alias]
    if connection.vendor != "postgresql" or conf.live_session_cache_size() <= 0 or connection.in_atomic_block:
        return None
    current = _memory
    if current is not None and current.pid == os.getpid():
        return current
    with _memory_lock:
        if _memory is None or _memory.pid != os.getpid():
            _memory = LiveSessions(alias=alias)  # after a fork the parent's thread does not exist here
            _memory.start()
        return _memory


def forget_session(session_id):
    """This process forgets a session at once (its own writes need not wait for the notification)."""
    if _memory is not None and _memory.pid == os.getpid():
        _memory.forget_session(session_id)


def forget_user(user_pk):
    if _memory is not None and _memory.pid == os.getpid():
        _memory.forget_user(user_pk)


def stop():
    """Stop this process's listener and forget everything (tests; a settings change)."""
    global _memory
    with _memory_lock:
        current, _memory = _memory, None
    if current is not None and current.pid == os.getpid():
        current.stop()
