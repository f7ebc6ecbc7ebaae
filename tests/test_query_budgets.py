"""Query budgets of the hot paths, counted as production runs them.

A budget counts the statements that read or write: BEGIN, COMMIT, ROLLBACK
and savepoints are left out, so that wrapping writes in the transaction
they need never costs budget (correctness first). ``transaction=True`` so
that atomic blocks run as in production. Password hashing is out of the
picture here (a fast hasher, and no rehash on login).
"""
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.federation import domains
from tests.conftest import LoggedIn, login

pytestmark = pytest.mark.django_db(transaction=True)

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def is_transaction_control(sql):
    return sql.strip().upper().startswith(TRANSACTION_CONTROL)


@contextmanager
def statements():
    """The statements a block runs that read or write, in order (transaction control left out)."""
    seen = []
    with CaptureQueriesContext(connection) as captured:
        yield seen
    seen.extend(query["sql"] for query in captured.captured_queries if not is_transaction_control(query["sql"]))


def test_an_authenticated_request_costs_exactly_one_query(logged_in, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert logged_in.get("/api/auth/me/").status_code == 200


@pytest.fixture
def driver_statements(monkeypatch):
    """Every statement the database driver runs, sent through Django's cursor or straight (hotpath)."""
    from django.db import connection

    import threading

    seen = []
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        connection.connection.set_trace_callback(seen.append)
        yield seen
        connection.connection.set_trace_callback(None)
        return
    import psycopg

    execute = psycopg.Cursor.execute

    test_thread = threading.current_thread()

    def counted(cursor, query, params=None, **options):
        if threading.current_thread() is test_thread:  # not the live-session listener's heartbeats
            seen.append(str(query))
        return execute(cursor, query, params, **options)

    monkeypatch.setattr(psycopg.Cursor, "execute", counted)
    yield seen


def test_an_authenticated_request_runs_exactly_one_statement_at_the_driver(logged_in, driver_statements):
    assert logged_in.get("/api/auth/me/").status_code == 200

    assert len(driver_statements) == 1, driver_statements
    assert driver_statements[0].lstrip().upper().startswith("SELECT")


def test_refresh_is_one_locked_read_and_one_update_in_one_transaction(logged_in):
    logged_in.client.cookies["refresh_token"] = logged_in.refresh_token
    with CaptureQueriesContext(connection) as captured, statements() as counted:
        assert logged_in.client.post("/api/auth/refresh/").status_code == 200

    assert [sql.split()[0] for sql in counted] == ["SELECT", "UPDATE"], counted
    assert_one_transaction(captured)


def test_a_grace_answer_costs_two_statements_and_writes_only_its_count(logged_in):
    # The token just replaced, from the client that rotated: the locked
    # SELECT, one UPDATE of grace_answers and last_grace_at.
    replaced = logged_in.refresh_token
    assert logged_in.refresh().status_code == 200
    logged_in.client.cookies["refresh_token"] = replaced
    with statements() as counted:
        assert logged_in.client.post("/api/auth/refresh/").status_code == 200
    assert len(counted) == 2, counted
    assert counted[1].startswith("UPDATE") and "grace_answers" in counted[1] and "generation" not in counted[1]


def test_login_reads_the_user_then_writes_session_event_and_last_login_in_one_transaction(client, user, settings):
    # Without the new-device notice (MAIL_NOTICES). Repro: on SQLite the three
    # writes ran in autocommit, one transaction each, when the budget counted BEGIN and COMMIT.
    settings.GATEHOUSE = {**settings.GATEHOUSE, "MAIL_NOTICES": frozenset()}
    domains.owners()  # the cached map of provider-owned domains, warm as on a running server (one read per minute)
    with CaptureQueriesContext(connection) as captured, statements() as counted:
        response = login(client)
    assert response.status_code == 200
    LoggedIn(client, response)

    # last_login first: the user's row, locked, orders a login against a deletion of the account.
    assert [sql.split()[0] for sql in counted] == ["SELECT", "UPDATE", "INSERT", "INSERT"], counted
    assert "last_login" in counted[1]
    assert "refreshsession" in counted[2].lower() and "securityevent" in counted[3].lower()
    assert_one_transaction(captured, writes=counted[1:])


def assert_one_transaction(captured, writes=None):
    """Every write of ``captured`` runs between one BEGIN and its COMMIT."""
    sqls = [query["sql"].strip() for query in captured.captured_queries]
    begins = [i for i, sql in enumerate(sqls) if sql.upper().startswith("BEGIN")]
    commits = [i for i, sql in enumerate(sqls) if sql.upper().startswith("COMMIT")]
    assert len(begins) == 1 and len(commits) == 1, sqls
    written = [i for i, sql in enumerate(sqls) if sql.split()[0] in ("INSERT", "UPDATE", "DELETE")]
    if writes is not None:
        assert len(written) == len(writes), sqls
    assert all(begins[0] < i < commits[0] for i in written), sqls


@pytest.mark.parametrize("events", [0, 60])
def test_the_activity_page_costs_two_queries_however_many_events_there_are(logged_in, user, events):
    # Repro: GET /api/auth/activity/ with 1 and with 61 events: the session + user, then one page of events.
    from accounts.models import SecurityEvent, SecurityEventKind

    SecurityEvent.objects.bulk_create(
        SecurityEvent(kind=SecurityEventKind.REAUTHENTICATED, user=user) for _ in range(events)
    )
    with statements() as counted:
        response = logged_in.get("/api/auth/activity/")
    assert response.status_code == 200 and len(response.json()["results"]) == min(20, events + 1)
    assert len(counted) == 2, counted


def test_a_login_from_a_known_device_adds_one_indexed_read(client, user):
    # With the new-device notice (the default): one SELECT of (user, device digest) more, nothing else.
    assert login(client).status_code == 200  # the device is now known
    with statements() as counted:
        response = login(client)
    assert response.status_code == 200
    assert len(counted) == 5, counted
    device_reads = [sql for sql in counted if "knowndevice" in sql.lower()]
    assert len(device_reads) == 1 and device_reads[0].lstrip().upper().startswith("SELECT")
