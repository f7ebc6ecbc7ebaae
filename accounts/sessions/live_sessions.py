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
- the memory answers only while its last proof of delivery is younger than
  ``PROOF_MAX_AGE_SECONDS`` (250 ms, the propagation bound). A proof is one
  of its own notifications come back: everything committed before it was
  sent has been applied (PostgreSQL delivers notifications in commit order).
  A connection that stalls instead of closing (a backend stopped, a network
  partition) leaves nothing unread on the socket, so silence alone must not
  be trusted: the listener notifies itself every ``HEARTBEAT_SECONDS``
  (100 ms), and from ``PROOF_MAX_AGE_SECONDS`` after the last echo's sending
  every request asks the database. A revocation committed at *t* is refused
  everywhere from *t* + 250 ms at the latest, whatever the listener's state;
- the listener counts as lost unless its own notification comes back within
  ``HEARTBEAT_TIMEOUT_SECONDS`` (a pooler that cannot carry ``LISTEN``, a
  dead network, a missing trigger's table rebuilt all end in a reconnection);
- the triggers are checked at connection and again with every heartbeat:
  each must exist on its table and fire always (``ENABLE ALWAYS``,
  ``pg_trigger.tgenabled = 'A'``). A trigger disabled (``ALTER TABLE …
  DISABLE TRIGGER``) or firing only on origin sessions counts as a lost
  listener: forget everything, ask the database, reconnect (and check again)
  until they are back. Between two heartbeats a change made while a
  trigger was being disabled can go unheard: at most ``HEARTBEAT_SECONDS``;
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
cheap. Each process holds one more connection to the database, its
listener's (``gatehouse-live-sessions`` in ``pg_stat_activity``).
"""
import logging
import os
import random
import secrets
import select
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connections

from accounts import conf

logger = logging.getLogger(__name__)

CHANNEL = "gatehouse_sessions"
APPLICATION_NAME = "gatehouse-live-sessions"
# Each trigger the memory relies on, and the model whose table it is on.
TRIGGER_TABLES = {
    "gatehouse_session_changed": "accounts.RefreshSession",
    "gatehouse_user_changed": "accounts.User",
    "gatehouse_sessions_truncated": "accounts.RefreshSession",
    "gatehouse_users_truncated": "accounts.User",
}
# The triggers found on their tables and firing always: 'A' is ENABLE ALWAYS (what the migration sets);
# 'O' would skip sessions with session_replication_role = replica, 'D' is disabled.
_ENABLED_TRIGGERS = (
    "SELECT t.tgname FROM pg_trigger t"
    " JOIN unnest(%s::text[], %s::text[]) AS wanted(relation, name)"
    " ON t.tgrelid = to_regclass(quote_ident(wanted.relation)) AND t.tgname = wanted.name"
    " WHERE t.tgenabled = 'A'"
)
PROOF_MAX_AGE_SECONDS = 0.25  # the propagation bound: how stale the memory may be, at most
HEARTBEAT_SECONDS = 0.1  # well inside the bound: a round trip of up to 150 ms keeps the memory in use
HEARTBEAT_TIMEOUT_SECONDS = 2.0
HEALTHY_AFTER_SECONDS = 30.0  # a connection that lived this long resets the reconnection backoff
RECONNECT_DELAYS_SECONDS = (0.05, 0.25, 1.0, 5.0, 15.0)
# Not kept: last_login moves at every login and nothing a request does reads it;
# an instance built from memory loads it from the database if asked.
_NOT_REMEMBERED = frozenset({"last_login"})


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
        self._entries = OrderedDict()  # session UUID -> _Entry, oldest first
        self._by_user = {}  # user pk -> set of session UUIDs
        self._lock = threading.Lock()
        self._epoch = 0  # bumped by every invalidation
        self._socket = None  # the listener's socket (a file descriptor) while it is connected and listening
        self._draining = False  # the listener is reading or applying notifications
        self._heartbeat_tag = f"hb:{os.getpid()}:{secrets.token_hex(6)}:"
        # Heartbeats go on a channel of this listener's own: every process beats ten times a second, and another's
        # beat on the shared channel would only keep this memory off while it is read. PostgreSQL delivers all
        # of a session's channels from one queue in commit order, so an echo on it proves as much as one there.
        self._heartbeat_channel = f"gatehouse_hb_{secrets.token_hex(8)}"
        self._heartbeat_sent = None  # (payload, time.monotonic()) awaiting its echo
        self._proven_at = None  # time.monotonic(): everything committed before it has been applied
        self._stopping = threading.Event()
        self._wake_read, self._wake_write = os.pipe()  # stop() interrupts the listener's wait
        self._thread = None
        self.pid = os.getpid()
        User = get_user_model()
        self._trigger_tables = {name: apps.get_model(label)._meta.db_table for name, label in TRIGGER_TABLES.items()}
        self._attnames = [f.attname for f in User._meta.concrete_fields if f.attname not in _NOT_REMEMBERED]
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
            with self._lock:
                if self._entries.get(session_id) is entry:
                    self._drop(session_id)
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
        proven_at = self._proven_at
        if sock is None or proven_at is None or time.monotonic() - proven_at >= PROOF_MAX_AGE_SECONDS:
            return False
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        if poller.poll(0):  # anything unread (a notification, an error, the end): not now
            return False
        # Read after the socket: the listener raises the flag before it empties the socket.
        return not self._draining and self._thread is not None and self._thread.is_alive()

    # -- invalidation ------------------------------------------------------

    def forget_session(self, session_id):
        """Forget one session (and void every answer being read now)."""
        with self._lock:
            self._epoch += 1
            self._drop(session_id)

    def forget_user(self, user_pk):
        """Forget every session of one user (and void every answer being read now)."""
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
        """One notification: ``s:<session id>``, ``u:<user pk>``, a heartbeat; anything else forgets everything."""
        kind, _, key = payload.partition(":")
        if kind == "hb":  # a listener's proof of delivery: ours ends the wait, others' mean nothing here
            sent = self._heartbeat_sent
            if sent is not None and payload == sent[0]:
                self._proven_at = sent[1]
                self._heartbeat_sent = None
            return
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

    def stop(self, timeout=10.0):
        if self._stopping.is_set():
            return
        self._stopping.set()
        os.write(self._wake_write, b"x")
        if self._thread is not None:
            self._thread.join(timeout)
        if self._thread is None or not self._thread.is_alive():
            for fd in (self._wake_read, self._wake_write):
                os.close(fd)

    def _listen_forever(self):
        failures, reported = 0, False
        while not self._stopping.is_set():
            started, listener, error = time.monotonic(), None, None
            try:
                listener = self._connect()
                reported = False
                self._serve(listener)
            except Exception as exc:  # noqa: BLE001 - any failure: stop answering, reconnect
                error = exc
            finally:
                self._lost()  # before the connection closes: its descriptor may be reused at once
                if listener is not None:
                    listener.close()
            if self._stopping.is_set():
                break
            if not reported:  # once per outage: the memory is off until a listener is back
                logger.warning("Live-session memory off: %s; every request asks the database.", error)
                reported = True
            failures = 1 if time.monotonic() - started > HEALTHY_AFTER_SECONDS else failures + 1
            delay = RECONNECT_DELAYS_SECONDS[min(failures, len(RECONNECT_DELAYS_SECONDS)) - 1]
            self._stopping.wait(delay * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not a secret

    def _connect(self):
        import psycopg

        params = driver_connection_params(self.alias)
        params["application_name"] = APPLICATION_NAME  # to be found in pg_stat_activity
        params["options"] = (params.get("options", "") + " -c idle_session_timeout=0").strip()
        for name, value in (("connect_timeout", 5), ("keepalives", 1), ("keepalives_idle", 5),
                            ("keepalives_interval", 2), ("keepalives_count", 3), ("tcp_user_timeout", 5000)):
            params.setdefault(name, value)
        listener = psycopg.connect(autocommit=True, **params)
        try:
            listener.add_notify_handler(lambda notify: self.apply(notify.payload))
            self._check_triggers(listener)
            # What is committed from here on reaches this connection; what came before is forgotten below.
            listening_since = time.monotonic()
            listener.execute(f"LISTEN {CHANNEL}; LISTEN {self._heartbeat_channel}")
        except BaseException:
            listener.close()
            raise
        # Listening from here on; what changed before is unknown: start empty.
        self.forget_everything()
        self._heartbeat_sent = None
        self._proven_at = listening_since
        self._socket = listener.pgconn.socket
        logger.info("Live-session memory: listening for session changes.")
        return listener

    def _serve(self, listener):
        from psycopg import pq

        pgconn = listener.pgconn
        poller = select.poll()
        poller.register(self._socket, select.POLLIN)
        poller.register(self._wake_read, select.POLLIN)
        sequence, next_beat = 0, time.monotonic() + HEARTBEAT_SECONDS
        while not self._stopping.is_set():
            now, sent = time.monotonic(), self._heartbeat_sent
            if sent is not None and now - sent[1] > HEARTBEAT_TIMEOUT_SECONDS:
                raise ConnectionError("its own notification did not come back: notifications do not reach it")
            if sent is None and now >= next_beat:
                sequence += 1
                self._heartbeat_sent = sent = (f"{self._heartbeat_tag}{sequence}", now)
                next_beat = now + HEARTBEAT_SECONDS
                self._read(lambda: self._beat(listener, sent[0]))
                sent = self._heartbeat_sent  # the echo usually comes back within the beat's own round trip
            deadline = sent[1] + HEARTBEAT_TIMEOUT_SECONDS if sent is not None else next_beat
            wait_ms = max(0.0, deadline - time.monotonic()) * 1000 + 1
            if any(fd == self._socket for fd, _ in poller.poll(wait_ms)):
                self._read(lambda: self._consume(pgconn))
                if pgconn.status != pq.ConnStatus.OK:
                    raise ConnectionError("the listener's connection has closed")

    def _beat(self, listener, payload):
        """A heartbeat, one round trip: our own notification, and the triggers still fire (else: lost)."""
        self._check_triggers(listener, notify=payload)

    def _check_triggers(self, listener, *, notify=None):
        names = list(self._trigger_tables)
        relations = [self._trigger_tables[name] for name in names]
        if notify is None:
            enabled = {row[0] for row in listener.execute(_ENABLED_TRIGGERS, [relations, names])}
        else:
            query = f"SELECT pg_notify(%s, %s), array({_ENABLED_TRIGGERS})"
            enabled = set(listener.execute(query, [self._heartbeat_channel, notify, relations, names]).fetchone()[1])
        if enabled != set(names):
            missing = sorted(set(names) - enabled)
            raise RuntimeError(
                f"the session triggers are missing or not enabled always ({', '.join(missing)}): run the "
                "migrations, or ALTER TABLE … ENABLE ALWAYS TRIGGER …"
            )

    def _read(self, work):
        """Run ``work`` with the flag up that keeps requests off the memory while notifications are applied."""
        self._draining = True
        try:
            work()
        finally:
            self._draining = False

    def _consume(self, pgconn):
        pgconn.consume_input()  # raises when the connection has gone
        while (notify := pgconn.notifies()) is not None:
            self.apply(notify.extra.decode())

    def _lost(self):
        with self._lock:
            self._socket = None
            self._proven_at = None
        self.forget_everything()


def driver_connection_params(alias="default"):
    """Django's connection settings for ``alias`` as ``psycopg.connect()`` takes them, for a connection of our own."""
    params = connections[alias].get_connection_params()
    params.pop("cursor_factory", None)  # Django's cursor classes; a connection of our own uses psycopg's
    params.pop("server_side_binding", None)
    params["prepare_threshold"] = None
    return params


_memory = None
_memory_lock = threading.Lock()


def _forget_the_parents_memory():
    # In a child of fork() the listener thread is gone and the lock may be held by a thread that is gone too.
    global _memory, _memory_lock
    _memory, _memory_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_the_parents_memory)


def memory():
    """This process's memory of live sessions (the default database), its listener started; None where unused."""
    global _memory
    connection = connections["default"]
    if connection.vendor != "postgresql" or conf.live_session_cache_size() <= 0 or connection.in_atomic_block:
        return None
    current = _memory
    if current is not None and current.pid == os.getpid():
        return current
    with _memory_lock:
        if _memory is None or _memory.pid != os.getpid():
            _memory = LiveSessions()
            _memory.start()
        return _memory


def forget_session(session_id):
    """This process forgets a session at once (its own writes need not wait for the notification)."""
    if _memory is not None and _memory.pid == os.getpid():
        _memory.forget_session(session_id)


def forget_user(user_pk):
    """This process forgets a user's sessions at once."""
    if _memory is not None and _memory.pid == os.getpid():
        _memory.forget_user(user_pk)


def stop():
    """Stop this process's listener and forget everything (tests; a settings change)."""
    global _memory
    with _memory_lock:
        current, _memory = _memory, None
    if current is not None and current.pid == os.getpid():
        current.stop()
