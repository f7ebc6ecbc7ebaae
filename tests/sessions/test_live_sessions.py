"""The per-process memory of live sessions, kept true by PostgreSQL's notifications (accounts/sessions/live_sessions.py)."""
import os
import threading
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import RefreshSession
from accounts.sessions import hotpath, live_sessions
from tests.conftest import LoggedIn, login, wait_until

# As shipped, before any fixture spaces the heartbeats out.
HEARTBEAT_SECONDS = live_sessions.HEARTBEAT_SECONDS
PROOF_MAX_AGE_SECONDS = live_sessions.PROOF_MAX_AGE_SECONDS

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="notifications are PostgreSQL's; SQLite asks on every request"
)


def queries(call):
    with CaptureQueriesContext(connection) as captured:
        response = call()
    return response, len(captured.captured_queries)


@pytest.fixture
def memory(settings, monkeypatch):
    """This process's memory, its listener connected; stopped afterwards.

    Heartbeats are spaced out: while one is in flight the memory is not used,
    which would make "no query" assertions depend on timing.
    """
    settings.GATEHOUSE = {**settings.GATEHOUSE, "LIVE_SESSION_CACHE_SIZE": 100}
    monkeypatch.setattr(live_sessions, "HEARTBEAT_SECONDS", 3600.0)
    monkeypatch.setattr(live_sessions, "PROOF_MAX_AGE_SECONDS", 3600.0)  # without heartbeats, no fresh proof
    live_sessions.stop()
    current = live_sessions.memory()
    wait_until(lambda: current.connected, what="the listener to connect")
    yield current
    live_sessions.stop()


def remembered(logged_in):
    """Ask once (a miss, remembered), then the request is answered from memory: no query."""
    assert logged_in.get("/api/auth/me/").status_code == 200
    response, count = queries(lambda: logged_in.get("/api/auth/me/"))
    assert (response.status_code, count) == (200, 0)


def refused_soon(logged_in, memory):
    """Refused once the notification has been applied (the session forgotten), and from then on every time."""
    wait_until(lambda: len(memory) == 0, timeout=10, what="the notification to evict the session")
    assert [logged_in.get("/api/auth/me/").status_code for _ in range(20)] == [401] * 20


def refuse_to_connect():
    raise ConnectionRefusedError("held down by the test")


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@postgresql_only
@pytest.mark.django_db(transaction=True)
class TestOnPostgreSQL:
    def test_a_request_for_a_remembered_session_makes_no_query(self, memory, logged_in):
        remembered(logged_in)

    def test_a_logout_in_this_process_is_refused_at_once(self, memory, logged_in):
        remembered(logged_in)
        logged_in.client.cookies["refresh_token"] = logged_in.refresh_token
        assert logged_in.client.post("/api/auth/logout/").status_code == 204

        assert logged_in.get("/api/auth/me/").status_code == 401

    @pytest.mark.parametrize("change", [
        "UPDATE accounts_refreshsession SET revoked_at = now(), revoked_reason = 'admin_revoked'",
        "UPDATE accounts_refreshsession SET expires_at = now() - interval '1 second'",
        "UPDATE accounts_refreshsession SET password_fingerprint = 'changed'",
        "DELETE FROM accounts_refreshsession",
        "UPDATE accounts_user SET is_active = false",
        "UPDATE accounts_user SET password = 'md5$x$y'",
    ])
    def test_a_change_made_in_raw_sql_is_refused_within_the_propagation_bound(self, memory, logged_in, change):
        remembered(logged_in)

        sql(change)

        refused_soon(logged_in, memory)

    def test_a_user_edited_in_raw_sql_is_read_again(self, memory, logged_in, user):
        remembered(logged_in)

        sql("UPDATE accounts_user SET email = 'new@example.com' WHERE id = %s", [user.pk])

        wait_until(lambda: logged_in.get("/api/auth/me/").json()["email"] == "new@example.com", timeout=10)

    def test_neither_a_refresh_nor_another_login_of_the_user_makes_it_forget(self, memory, logged_in, client):
        # A rotation moves last use and expiry forward, a login moves last_login: nothing the check reads.
        remembered(logged_in)
        assert logged_in.refresh().status_code == 200
        assert login(client).status_code == 200

        response, count = queries(lambda: logged_in.get("/api/auth/me/"))
        assert (response.status_code, count) == (200, 0)

    def test_a_lost_listener_fails_closed_and_resumes_after_reconnecting(self, memory, logged_in, client, monkeypatch):
        # Repro: kill the listener's connection; every request asks the database, nothing stale is answered.
        remembered(logged_in)
        reconnect = memory._connect
        monkeypatch.setattr(memory, "_connect", refuse_to_connect)  # held down until the test lets it reconnect
        sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s "
            "AND datname = current_database() AND pid <> pg_backend_pid()",
            [live_sessions.APPLICATION_NAME],
        )
        wait_until(lambda: not memory.connected, timeout=10, what="the listener to notice")

        response, count = queries(lambda: logged_in.get("/api/auth/me/"))
        assert (response.status_code, count) == (200, 1)
        assert len(memory) == 0
        sql("UPDATE accounts_refreshsession SET revoked_at = now()")  # nobody hears of it
        assert logged_in.get("/api/auth/me/").status_code == 401  # at once: the database was asked

        monkeypatch.setattr(memory, "_connect", reconnect)
        wait_until(lambda: memory.connected, timeout=10, what="the listener to reconnect")
        again = LoggedIn(client, login(client))
        remembered(again)
        sql("UPDATE accounts_refreshsession SET revoked_at = now() WHERE revoked_at IS NULL")
        refused_soon(again, memory)

    def test_a_listener_whose_backend_is_stopped_is_not_trusted_past_the_propagation_bound(
        self, memory, monkeypatch, logged_in
    ):
        """Repro: kill -STOP the listener's backend (a connection that stalls, as in a network partition), then
        revoke: with nothing unread on its socket the memory stayed trusted, and requests were accepted from it
        up to a heartbeat (2 s) after the revocation had committed. Now: none from 250 ms after the commit."""
        import signal
        import socket
        import time

        live_sessions.stop()
        monkeypatch.setattr(live_sessions, "HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)
        monkeypatch.setattr(live_sessions, "PROOF_MAX_AGE_SECONDS", PROOF_MAX_AGE_SECONDS)
        listening = live_sessions.memory()
        wait_until(lambda: listening.connected, what="the listener to connect")
        wait_until(lambda: logged_in.get("/api/auth/me/").status_code == 200 and len(listening) == 1,
                   what="the session to be remembered")
        # This test's own listener's backend, and no other: found by the port of its connection.
        with socket.socket(fileno=os.dup(listening._socket)) as listener_socket:
            port = listener_socket.getsockname()[1]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND client_port = %s "
                "AND datname = current_database()", [live_sessions.APPLICATION_NAME, port])
            (backend,) = cursor.fetchone()
        # The memory in use: a request answered from it makes no query.
        wait_until(lambda: queries(lambda: logged_in.get("/api/auth/me/"))[1] == 0, what="an answer from memory")

        os.kill(backend, signal.SIGSTOP)
        try:
            sql("UPDATE accounts_refreshsession SET revoked_at = now(), revoked_reason = 'admin_revoked'")
            committed = time.monotonic()
            probes = []
            while time.monotonic() - committed < 1.5 + PROOF_MAX_AGE_SECONDS:
                started = time.monotonic() - committed
                probes.append((started, logged_in.get("/api/auth/me/").status_code))
        finally:
            os.kill(backend, signal.SIGCONT)

        late = [(round(at, 3), status) for at, status in probes if at >= PROOF_MAX_AGE_SECONDS and status != 401]
        assert len(probes) > 20 and late == []

    def test_heartbeats_keep_their_pace_when_the_echo_comes_back_within_the_beat(self, memory, monkeypatch):
        # Repro: an echo read during the beat's own round trip left the listener waiting for it until the
        # timeout (2 s): one proof every 2 s, so the memory was off most of the time under a 250 ms bound.
        import time

        live_sessions.stop()
        monkeypatch.setattr(live_sessions, "HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)
        monkeypatch.setattr(live_sessions, "PROOF_MAX_AGE_SECONDS", PROOF_MAX_AGE_SECONDS)
        beats = []
        original = live_sessions.LiveSessions._beat
        monkeypatch.setattr(live_sessions.LiveSessions, "_beat",
                            lambda self, listener, payload: (beats.append(payload), original(self, listener, payload)))
        listening = live_sessions.memory()
        wait_until(lambda: listening.connected, what="the listener to connect")
        time.sleep(2 * live_sessions.HEARTBEAT_TIMEOUT_SECONDS)
        assert len(beats) >= 2 * live_sessions.HEARTBEAT_TIMEOUT_SECONDS / HEARTBEAT_SECONDS / 4

    def test_a_listener_whose_own_notifications_do_not_come_back_counts_as_lost(self, memory, monkeypatch):
        # As behind a pooler that cannot carry LISTEN: the connection answers, notifications never arrive.
        live_sessions.stop()
        monkeypatch.setattr(live_sessions, "HEARTBEAT_SECONDS", 0.2)
        monkeypatch.setattr(live_sessions, "HEARTBEAT_TIMEOUT_SECONDS", 1.0)
        monkeypatch.setattr(live_sessions, "RECONNECT_DELAYS_SECONDS", (60.0,))
        deaf = live_sessions.memory()
        heard = deaf.apply
        monkeypatch.setattr(deaf, "apply", lambda payload: None if payload.startswith("hb:") else heard(payload))

        wait_until(lambda: deaf.connected, timeout=20, what="the listener to connect")
        wait_until(lambda: not deaf.connected, timeout=20, what="the listener to give up")
        assert live_sessions.memory() is deaf and deaf.user(session_id=uuid.uuid4(), user_pk=1, now=timezone.now()) is None

    @pytest.mark.parametrize("table, trigger, weakened, change", [
        ("accounts_refreshsession", "gatehouse_session_changed", "DISABLE",
         "UPDATE accounts_refreshsession SET revoked_at = now(), revoked_reason = 'admin_revoked'"),
        ("accounts_user", "gatehouse_user_changed", "DISABLE", "UPDATE accounts_user SET is_active = false"),
        # Enabled for origin sessions only ('O'): a session in replica mode changes things unheard.
        ("accounts_refreshsession", "gatehouse_session_changed", "ENABLE",
         "UPDATE accounts_refreshsession SET revoked_at = now(), revoked_reason = 'admin_revoked'"),
    ], ids=["session-trigger-disabled", "user-trigger-disabled", "session-trigger-origin-only"])
    def test_a_trigger_disabled_after_connecting_then_a_revocation_by_sql_is_refused_after_the_next_heartbeat(
        self, memory, settings, monkeypatch, client, user, table, trigger, weakened, change
    ):
        # Repro: ALTER TABLE … DISABLE TRIGGER, then a revocation in SQL: requests were accepted from memory
        # until LIVE_SESSION_CACHE_MAX_AGE, because the triggers were checked only at connection.
        from django.db import transaction

        live_sessions.stop()
        settings.GATEHOUSE = {**settings.GATEHOUSE, "LIVE_SESSION_CACHE_MAX_AGE": 3600}
        monkeypatch.setattr(live_sessions, "HEARTBEAT_SECONDS", 0.3)
        monkeypatch.setattr(live_sessions, "RECONNECT_DELAYS_SECONDS", (0.2,))
        listening = live_sessions.memory()
        wait_until(lambda: listening.connected, what="the listener to connect")
        device = LoggedIn(client, login(client))
        wait_until(lambda: device.get("/api/auth/me/").status_code == 200 and len(listening) == 1,
                   what="the session to be remembered")
        try:
            sql(f'ALTER TABLE "{table}" {weakened} TRIGGER {trigger}')
            with transaction.atomic():
                sql("SET LOCAL session_replication_role = replica")
                sql(change)

            wait_until(lambda: device.get("/api/auth/me/").status_code == 401, timeout=30,
                       what="the revoked session to be refused")
            # Not a lucky miss (a request that met a heartbeat in flight asks the database): refused from now on.
            assert [device.get("/api/auth/me/").status_code for _ in range(20)] == [401] * 20
            assert not listening.connected and len(listening) == 0  # off until the trigger is back
        finally:
            sql(f'ALTER TABLE "{table}" ENABLE ALWAYS TRIGGER {trigger}')
            sql("UPDATE accounts_user SET is_active = true")

        wait_until(lambda: listening.connected, timeout=30, what="the listener to come back with its triggers")
        again = LoggedIn(client, login(client))
        wait_until(lambda: again.get("/api/auth/me/").status_code == 200 and len(listening) == 1,
                   what="the memory in use again")
        sql("UPDATE accounts_refreshsession SET revoked_at = now() WHERE revoked_at IS NULL")
        refused_soon(again, listening)

    def test_a_process_forked_after_the_listener_started_starts_its_own(self, memory):
        memory.pid = -1  # as the memory inherited by a child of fork(), whose listener thread did not survive
        fresh = live_sessions.memory()
        assert fresh is not memory and fresh.pid == os.getpid()
        wait_until(lambda: fresh.connected, timeout=10, what="the new listener")
        memory.pid = os.getpid()
        memory.stop()

    def test_a_revocation_racing_a_miss_is_not_remembered(self, memory, logged_in, monkeypatch):
        # The query has answered "live"; the revocation commits and is notified before the answer is stored.
        original = hotpath.live_session_user
        epoch = memory.epoch()

        def answer_then_revoke(**kwargs):
            found = original(**kwargs)
            sql("UPDATE accounts_refreshsession SET revoked_at = now()")
            wait_until(lambda: memory.epoch() != epoch, timeout=10, what="the notification")
            return found

        monkeypatch.setattr(hotpath, "live_session_user", answer_then_revoke)
        assert logged_in.get("/api/auth/me/").status_code == 200  # read before the revocation
        monkeypatch.setattr(hotpath, "live_session_user", original)

        assert len(memory) == 0
        assert logged_in.get("/api/auth/me/").status_code == 401

    def test_threads_reading_while_a_session_is_revoked_never_leave_it_remembered(self, memory, logged_in):
        stop = threading.Event()
        results = []

        def keep_reading():
            from django.db import connections
            from rest_framework.test import APIClient

            reader = APIClient()
            while not stop.is_set():
                results.append(reader.get("/api/auth/me/", **logged_in.bearer).status_code)
            connections.close_all()

        readers = [threading.Thread(target=keep_reading) for _ in range(4)]
        for reader in readers:
            reader.start()
        try:
            wait_until(lambda: results.count(200) > 50, timeout=30, what="the readers to be served")
            sql("UPDATE accounts_refreshsession SET revoked_at = now()")
            wait_until(lambda: 401 in results, timeout=10, what="a refusal")
            refused_from = len(results)
            wait_until(lambda: len(results) > refused_from + 200, timeout=30, what="more reads")
        finally:
            stop.set()
            for reader in readers:
                reader.join(30)
        first_refusal = results.index(401)
        assert 200 not in results[first_refusal + len(readers):]  # at most the reads in flight then
        assert len(memory) == 0

    def test_only_a_live_session_deleted_is_notified(self, memory, logged_in, user):
        # cleanup_sessions deletes ended sessions by the thousand: they send nothing.
        import psycopg

        with psycopg.connect(autocommit=True, **live_sessions.driver_connection_params()) as listener:
            listener.execute(f"LISTEN {live_sessions.CHANNEL}")
            ended = RefreshSession.objects.get()
            RefreshSession.objects.filter(pk=ended.pk).update(revoked_at=timezone.now())
            assert login(logged_in.client).status_code == 200
            live_id = RefreshSession.objects.get(revoked_at__isnull=True).pk
            revocation = [n.payload for n in listener.notifies(timeout=10, stop_after=1)]
            assert revocation == [f"s:{ended.pk}"]

            RefreshSession.objects.all().delete()

            payloads = [n.payload for n in listener.notifies(timeout=10, stop_after=1)]
            assert payloads == [f"s:{live_id}"]
            assert [n.payload for n in listener.notifies(timeout=1) if not n.payload.startswith("hb:")] == []

    def test_entries_are_bounded_in_number(self, memory, settings, client, user):
        settings.GATEHOUSE = {**settings.GATEHOUSE, "LIVE_SESSION_CACHE_SIZE": 3}
        devices = [LoggedIn(client, login(client)) for _ in range(5)]
        for device in devices:
            assert device.get("/api/auth/me/").status_code == 200
        assert len(memory) == 3

    def test_nothing_is_remembered_inside_a_transaction(self, memory, logged_in):
        from django.db import transaction

        with transaction.atomic():
            assert live_sessions.memory() is None


def fake_user(pk=1):
    User = get_user_model()
    return User(pk=pk, username=f"user{pk}", is_active=True)


class ConnectedForTests(live_sessions.LiveSessions):
    """A memory whose 'listener socket' is one end of a socket pair the test writes to, its 'listener' a thread
    that waits for the test to end."""

    def __init__(self):
        import socket

        super().__init__()
        self.listener_end, self.server_end = socket.socketpair()
        self._socket = self.listener_end.fileno()
        self._proven_at = float("inf")  # always a fresh proof of delivery (tested apart)
        self._thread = threading.Thread(target=self._stopping.wait, daemon=True)
        self._thread.start()


@pytest.fixture
def offline_memory(settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "LIVE_SESSION_CACHE_SIZE": 100, "LIVE_SESSION_CACHE_MAX_AGE": 300}
    memory = ConnectedForTests()
    yield memory
    memory.stop()
    memory.listener_end.close()
    memory.server_end.close()


def remember(memory, session_id, user, expires_in=timedelta(minutes=5), epoch=None):
    epoch = memory.epoch() if epoch is None else epoch
    expires_at = timezone.now() + expires_in
    return memory.remember(session_id=session_id, user=user, expires_at=expires_at, epoch=epoch)


class TestTheMemory:
    def test_it_answers_what_it_remembered_as_a_fresh_instance(self, offline_memory):
        session_id, user = uuid.uuid4(), fake_user()
        assert remember(offline_memory, session_id, user)

        first = offline_memory.user(session_id=session_id, user_pk=1, now=timezone.now())
        first.username = "changed by a view"
        second = offline_memory.user(session_id=session_id, user_pk=1, now=timezone.now())
        assert second.username == "user1" and second is not first

    def test_it_does_not_answer_for_another_user(self, offline_memory):
        session_id = uuid.uuid4()
        remember(offline_memory, session_id, fake_user(1))
        assert offline_memory.user(session_id=session_id, user_pk=2, now=timezone.now()) is None

    def test_a_remembered_expiry_is_checked_on_every_hit(self, offline_memory):
        session_id = uuid.uuid4()
        remember(offline_memory, session_id, fake_user(), expires_in=timedelta(seconds=1))
        later = timezone.now() + timedelta(seconds=2)
        assert offline_memory.user(session_id=session_id, user_pk=1, now=later) is None

    def test_an_entry_is_trusted_no_longer_than_the_maximum_age(self, offline_memory, settings, monkeypatch):
        session_id = uuid.uuid4()
        remember(offline_memory, session_id, fake_user())
        settings.GATEHOUSE = {**settings.GATEHOUSE, "LIVE_SESSION_CACHE_MAX_AGE": 1}
        real = live_sessions.time.monotonic
        monkeypatch.setattr(live_sessions.time, "monotonic", lambda: real() + 2)
        assert offline_memory.user(session_id=session_id, user_pk=1, now=timezone.now()) is None

    def test_an_answer_read_before_an_invalidation_is_not_stored(self, offline_memory):
        epoch = offline_memory.epoch()
        offline_memory.apply(f"s:{uuid.uuid4()}")  # any session: the counter moved
        assert not remember(offline_memory, uuid.uuid4(), fake_user(), epoch=epoch)
        assert len(offline_memory) == 0

    def test_unread_bytes_on_the_listener_socket_mean_ask_the_database(self, offline_memory):
        session_id = uuid.uuid4()
        remember(offline_memory, session_id, fake_user())
        offline_memory.server_end.send(b"a notification not yet applied")
        assert offline_memory.user(session_id=session_id, user_pk=1, now=timezone.now()) is None

    def test_while_the_listener_reads_the_memory_is_not_used(self, offline_memory):
        session_id = uuid.uuid4()
        remember(offline_memory, session_id, fake_user())
        offline_memory._draining = True
        assert offline_memory.user(session_id=session_id, user_pk=1, now=timezone.now()) is None

    def test_a_silent_listener_is_trusted_no_longer_than_the_propagation_bound(self, offline_memory, monkeypatch):
        # Repro: a stalled connection leaves nothing unread; the memory must still lapse without a fresh proof.
        import time

        session_id = uuid.uuid4()
        remember(offline_memory, session_id, fake_user())
        clock = [time.monotonic()]
        monkeypatch.setattr(live_sessions.time, "monotonic", lambda: clock[0])
        offline_memory._proven_at = clock[0]
        clock[0] += live_sessions.PROOF_MAX_AGE_SECONDS - 0.01
        assert offline_memory.user(session_id=session_id, user_pk=1, now=timezone.now()) is not None
        clock[0] += 0.01
        assert offline_memory.user(session_id=session_id, user_pk=1, now=timezone.now()) is None

    def test_an_echoed_heartbeat_proves_delivery_as_of_its_sending(self, offline_memory):
        offline_memory._proven_at = None
        offline_memory._heartbeat_sent = (f"{offline_memory._heartbeat_tag}1", 12.5)
        offline_memory.apply(f"{offline_memory._heartbeat_tag}1")
        assert offline_memory._proven_at == 12.5

    def test_without_a_listener_nothing_is_stored_or_answered(self, offline_memory):
        session_id = uuid.uuid4()
        remember(offline_memory, session_id, fake_user())
        offline_memory._lost()
        assert offline_memory.user(session_id=session_id, user_pk=1, now=timezone.now()) is None
        assert not remember(offline_memory, session_id, fake_user())

    def test_a_listener_thread_that_died_is_not_trusted(self, offline_memory):
        session_id = uuid.uuid4()
        remember(offline_memory, session_id, fake_user())
        offline_memory._stopping.set()
        offline_memory._thread.join(10)
        assert offline_memory.user(session_id=session_id, user_pk=1, now=timezone.now()) is None

    def test_heartbeats_of_other_processes_invalidate_nothing(self, offline_memory):
        session_id, epoch = uuid.uuid4(), offline_memory.epoch()
        remember(offline_memory, session_id, fake_user())
        offline_memory.apply("hb:4242:0123456789ab:7")
        assert offline_memory.epoch() == epoch
        assert offline_memory.user(session_id=session_id, user_pk=1, now=timezone.now()) is not None

    def test_last_login_is_not_remembered_but_read_from_the_database_if_asked(self, offline_memory):
        assert "last_login" not in offline_memory._attnames
        session_id = uuid.uuid4()
        remember(offline_memory, session_id, fake_user())
        user = offline_memory.user(session_id=session_id, user_pk=1, now=timezone.now())
        assert "last_login" in user.get_deferred_fields()

    @pytest.mark.parametrize("payload, survivors", [
        ("s:{first}", {"second", "third"}),
        ("u:1", {"third"}),
        ("*", set()),
        ("s:not-a-uuid", set()),
        ("garbage", set()),
    ])
    def test_notifications_evict_the_session_the_user_or_everything(self, offline_memory, payload, survivors):
        ids = {"first": uuid.uuid4(), "second": uuid.uuid4(), "third": uuid.uuid4()}
        remember(offline_memory, ids["first"], fake_user(1))
        remember(offline_memory, ids["second"], fake_user(1))
        remember(offline_memory, ids["third"], fake_user(2))

        offline_memory.apply(payload.format(**ids))

        now = timezone.now()
        left = {
            name for name, session_id in ids.items()
            if offline_memory.user(session_id=session_id, user_pk=1 if name != "third" else 2, now=now)
        }
        assert left == survivors

    def test_the_oldest_entry_goes_first_when_full(self, offline_memory, settings):
        settings.GATEHOUSE = {**settings.GATEHOUSE, "LIVE_SESSION_CACHE_SIZE": 2}
        ids = [uuid.uuid4() for _ in range(3)]
        for session_id in ids:
            remember(offline_memory, session_id, fake_user())
        now = timezone.now()
        assert [bool(offline_memory.user(session_id=i, user_pk=1, now=now)) for i in ids] == [False, True, True]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="on PostgreSQL the memory is used")
@pytest.mark.django_db(transaction=True)
def test_sqlite_asks_the_database_on_every_request(logged_in):
    assert live_sessions.memory() is None
    for _ in range(2):
        response, count = queries(lambda: logged_in.get("/api/auth/me/"))
        assert (response.status_code, count) == (200, 1)
