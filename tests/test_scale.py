"""Many sessions in the table: seeding, flat hot paths, indexed plans, a bounded admin.

Timing is for ``python -m bench.scale``; these tests pin what makes the times
flat and bounded, which does not depend on the machine: the same statements
whatever the table size, and index lookups rather than table scans.
"""
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import RefreshSession
from tests.conftest import LoggedIn, login

pytestmark = pytest.mark.django_db(transaction=True)

User = get_user_model()
SESSIONS = "/admin/accounts/refreshsession/"


def seed(sessions, users=40, **options):
    out = StringIO()
    call_command("seed_sessions", sessions=sessions, users=users, seed=7, stdout=out, **options)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return out.getvalue()


def captured(call):
    with CaptureQueriesContext(connection) as queries:
        result = call()
    return result, [query["sql"] for query in queries.captured_queries]


def plan(sql):
    """The database's plan for ``sql`` (as the capture logged it, parameters inlined), as text.

    On PostgreSQL with sequential scans disabled: a tiny test table is rightly
    scanned, so a scan left in the plan means that no index can serve the query.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def full_scan_of(table, text):
    if connection.vendor == "sqlite":
        return any(line.startswith(f"SCAN {table}") for line in text.splitlines())
    return f"Seq Scan on {table}" in text


def test_seed_sessions_inserts_n_sessions_over_m_users_in_batches():
    with CaptureQueriesContext(connection) as queries:
        output = seed(2500, users=30, ended_fraction=0.4, batch_size=1000)

    assert RefreshSession.objects.count() == 2500
    assert User.objects.filter(username__startswith="seed-").count() == 30
    assert RefreshSession.objects.values("user").distinct().count() == 30
    ended = RefreshSession.objects.ended().count()
    assert 0.3 * 2500 < ended < 0.5 * 2500
    inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "accounts_refreshsession"')]
    assert 3 <= len(inserts) <= 2500 // 10, "bulk inserts, not a statement per session"
    assert "Inserted 2500 sessions over 30 users" in output
    # No seeded user can log in, and running it again adds sessions, not users.
    assert not any(user.has_usable_password() for user in User.objects.filter(username__startswith="seed-"))
    seed(100, users=30)
    assert User.objects.filter(username__startswith="seed-").count() == 30
    assert RefreshSession.objects.count() == 2600


def test_cleanup_deletes_every_seeded_ended_session_and_keeps_the_active_ones():
    seed(3000, users=20, ended_fraction=0.5)
    active = set(RefreshSession.objects.active().values_list("pk", flat=True))
    ended = RefreshSession.objects.ended().count()

    out = StringIO()
    with CaptureQueriesContext(connection) as queries:
        call_command("cleanup_sessions", batch_size=500, stdout=out)

    assert f"Deleted {ended} ended sessions" in out.getvalue()
    assert set(RefreshSession.objects.values_list("pk", flat=True)) == active
    deletes = [q for q in queries.captured_queries if q["sql"].startswith('DELETE FROM "accounts_refreshsession"')]
    assert len(deletes) >= ended // 500, "one short DELETE per batch"


def test_the_hot_paths_cost_the_same_statements_with_many_sessions_and_use_indexes(client, user, settings):
    # The session check as it runs on a miss (PostgreSQL's live-session memory off).
    settings.GATEHOUSE = {**settings.GATEHOUSE, "LIVE_SESSION_CACHE_SIZE": 0}
    response = login(client)
    assert response.status_code == 200
    me = LoggedIn(client, response)
    _, small_get = captured(lambda: me.get("/api/auth/me/"))
    _, small_refresh = captured(me.refresh)

    seed(5000, users=50)

    response, large_get = captured(lambda: me.get("/api/auth/me/"))
    assert response.status_code == 200
    response, large_refresh = captured(me.refresh)
    assert response.status_code == 200
    assert len(large_get) == len(small_get) == 1
    assert len(large_refresh) == len(small_refresh) <= 4

    table = RefreshSession._meta.db_table
    auth_query = large_get[0]
    lock_query = next(sql for sql in large_refresh if sql.startswith("SELECT") and table in sql)
    for sql in (auth_query, lock_query):
        text = plan(sql)
        assert not full_scan_of(table, text), f"a scan of every session:\n{text}"
        assert not full_scan_of(User._meta.db_table, text), f"a scan of every user:\n{text}"


def test_the_admin_session_list_runs_the_same_statements_with_many_sessions(make_user):
    admin = make_user("root", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    pages = [SESSIONS, f"{SESSIONS}?status=active", f"{SESSIONS}?q=seed-0000003"]

    seed(200, users=10)
    small = {}
    for page in pages:
        response, statements = captured(lambda page=page: browser.get(page))
        assert response.status_code == 200, page
        small[page] = len(statements)

    seed(4000, users=10)
    for page in pages:
        response, statements = captured(lambda page=page: browser.get(page))
        assert response.status_code == 200, page
        assert len(statements) == small[page], f"{page}: statements grow with the table"
        assert response.content.count(b'name="_selected_action"') <= 100, "one bounded page"
