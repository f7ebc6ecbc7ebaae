"""Query budgets of the hot paths, counted as production runs them.

``transaction=True`` so that no test-wide transaction turns each atomic block
into extra SAVEPOINT/RELEASE statements; on SQLite the count includes the
``BEGIN IMMEDIATE`` that takes the write lock. Password hashing is out of the
picture here (a fast hasher, and no rehash on login).
"""
import pytest

from tests.conftest import LoggedIn, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_authenticated_request_costs_exactly_one_query(logged_in, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert logged_in.get("/api/auth/me/").status_code == 200


@pytest.fixture
def driver_statements(monkeypatch):
    """Every statement the database driver runs, sent through Django's cursor or straight (hotpath)."""
    from django.db import connection

    seen = []
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        connection.connection.set_trace_callback(seen.append)
        yield seen
        connection.connection.set_trace_callback(None)
        return
    import psycopg

    execute = psycopg.Cursor.execute

    def counted(cursor, query, params=None, **options):
        seen.append(str(query))
        return execute(cursor, query, params, **options)

    monkeypatch.setattr(psycopg.Cursor, "execute", counted)
    yield seen


def test_an_authenticated_request_runs_exactly_one_statement_at_the_driver(logged_in, driver_statements):
    assert logged_in.get("/api/auth/me/").status_code == 200

    assert len(driver_statements) == 1, driver_statements
    assert driver_statements[0].lstrip().upper().startswith("SELECT")


def test_refresh_costs_at_most_four_queries(logged_in, django_assert_max_num_queries):
    logged_in.client.cookies["refresh_token"] = logged_in.refresh_token
    with django_assert_max_num_queries(4):
        assert logged_in.client.post("/api/auth/refresh/").status_code == 200


def test_a_grace_answer_costs_four_statements_and_writes_only_its_count(logged_in, django_assert_num_queries):
    # The token just replaced, from the client that rotated: BEGIN, the locked
    # SELECT, one UPDATE of grace_answers and last_grace_at, COMMIT.
    replaced = logged_in.refresh_token
    assert logged_in.refresh().status_code == 200
    logged_in.client.cookies["refresh_token"] = replaced
    with django_assert_num_queries(4) as captured:
        assert logged_in.client.post("/api/auth/refresh/").status_code == 200
    updates = [query["sql"] for query in captured.captured_queries if query["sql"].startswith("UPDATE")]
    assert len(updates) == 1 and "grace_answers" in updates[0] and "generation" not in updates[0]


def test_login_costs_four_statements_on_sqlite_and_two_on_postgresql(
    client, user, django_assert_num_queries, settings
):
    # Without the new-device notice (MAIL_NOTICES): the user, then the session, event and last_login writes.
    from django.db import connection

    settings.GATEHOUSE = {**settings.GATEHOUSE, "MAIL_NOTICES": frozenset()}
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 4):
        response = login(client)
    assert response.status_code == 200
    LoggedIn(client, response)


@pytest.mark.parametrize("events", [0, 60])
def test_the_activity_page_costs_two_queries_however_many_events_there_are(logged_in, user, events,
                                                                           django_assert_num_queries):
    # Repro: GET /api/auth/activity/ with 1 and with 61 events: the session + user, then one page of events.
    from accounts.models import SecurityEvent, SecurityEventKind

    SecurityEvent.objects.bulk_create(
        SecurityEvent(kind=SecurityEventKind.REAUTHENTICATED, user=user) for _ in range(events)
    )
    with django_assert_num_queries(2):
        response = logged_in.get("/api/auth/activity/")
    assert response.status_code == 200 and len(response.json()["results"]) == min(20, events + 1)


def test_a_login_from_a_known_device_adds_one_indexed_read(client, user, django_assert_num_queries):
    # With the new-device notice (the default): one SELECT of (user, device digest) more, nothing else.
    from django.db import connection

    assert login(client).status_code == 200  # the device is now known
    with django_assert_num_queries(3 if connection.vendor == "postgresql" else 5) as captured:
        response = login(client)
    assert response.status_code == 200
    device_reads = [q["sql"] for q in captured.captured_queries if "knowndevice" in q["sql"].lower()]
    assert len(device_reads) == 1 and device_reads[0].lstrip().upper().startswith("SELECT")
