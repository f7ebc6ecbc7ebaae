"""The indexes the hot paths rely on, and the hot path's statements matching what the ORM would write and read."""
import pytest
from django.db import connection

from accounts.limits.net import ClientInfo
from accounts.models import RefreshSession, SecurityEvent, SecurityEventKind
from accounts.sessions import hotpath, lifecycle

pytestmark = pytest.mark.django_db


def indexes_on(table):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {name: info["columns"] for name, info in constraints.items() if info["index"] and not info["primary_key"]}


@pytest.mark.parametrize(
    "table, composite",
    [("accounts_refreshsession", "session_user_active_idx"), ("accounts_securityevent", "event_user_idx")],
)
def test_user_lookups_use_a_composite_index_and_no_single_column_one_remains(table, composite):
    indexes = indexes_on(table)

    assert indexes[composite][0] == "user_id"
    assert ["user_id"] not in indexes.values()


def test_the_hot_path_writes_the_values_the_orm_would(user):
    session = lifecycle.start_session(user=user, client=ClientInfo("2001:db8::1", "agent")).session
    statements = hotpath._statements("default")

    for field, adapt in zip(statements.rotation_fields, statements.rotation_adapters):
        value = getattr(session, field.attname)
        assert adapt(value) == field.get_db_prep_save(value, connection), field.name


def test_a_login_reads_back_as_written(user):
    issued = lifecycle.start_session(user=user, client=ClientInfo("203.0.113.9", "agent"))

    stored = RefreshSession.objects.get(pk=issued.session.pk)
    assert (stored.created_at, stored.expires_at, stored.ip_address, stored.revoked_at) == (
        issued.session.created_at, issued.session.expires_at, "203.0.113.9", None,
    )
    assert SecurityEvent.objects.get(session_id=stored.pk).kind == SecurityEventKind.LOGIN_SUCCEEDED


def test_the_session_query_reads_the_same_straight_on_the_driver_as_through_djangos_cursor(user, monkeypatch):
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    session = lifecycle.start_session(user=user, client=ClientInfo("203.0.113.9", "agent")).session
    lookup = {"session_id": session.pk, "user_pk": user.pk, "now": timezone.now()}
    with CaptureQueriesContext(connection) as counted:
        through_django = hotpath.live_session_user(**lookup)

    def not_this_way(*args, **kwargs):
        raise AssertionError("went through Django's cursor")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", not_this_way)
    on_the_driver = hotpath.live_session_user(**lookup)

    assert len(counted) == 1
    assert on_the_driver[1] == through_django[1] == session.password_fingerprint
    assert on_the_driver[2] == through_django[2] == session.expires_at
    assert on_the_driver[2].tzinfo is not None
    assert [typed(on_the_driver[0], field) for field in user._meta.concrete_fields] == [
        typed(through_django[0], field) for field in user._meta.concrete_fields
    ]


def typed(instance, field):
    """A field's value with its type and time zone: equal values of another type or zone are a difference."""
    value = getattr(instance, field.attname)
    return type(value), value, getattr(value, "tzinfo", None)


def test_an_execute_wrapper_sees_the_session_query(logged_in):
    seen = []

    def recording(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(recording):
        assert logged_in.get("/api/auth/me/").status_code == 200

    assert len(seen) == 1 and "password_fingerprint" in seen[0]


def test_the_activity_page_is_read_along_the_user_index_without_sorting_the_users_events(user, django_user_model):
    # Repro: EXPLAIN the query of a later page of GET /api/auth/activity/ for a user with 100
    # events, among 20,000 of 200 other users (with fewer others, PostgreSQL may rightly walk the
    # time index backwards instead: the user's events are then a twentieth of all).
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from accounts import activity

    others = django_user_model.objects.bulk_create(django_user_model(username=f"user{i}") for i in range(200))
    start = timezone.now() - timedelta(days=30)
    SecurityEvent.objects.bulk_create(
        SecurityEvent(kind=SecurityEventKind.LOGIN_SUCCEEDED, user=owner, created_at=start + timedelta(minutes=n))
        for n, owner in enumerate([user, *others] * 100)
    )
    page = activity.events_of(user=user).filter(created_at__lt=timezone.now())[:21]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A test table is tiny: statistics, and no sequential scan, show the plan a big one gets.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("ANALYZE accounts_securityevent")
        plan = page.explain()

    assert "event_user_idx" in plan, plan
    if connection.vendor == "sqlite":
        assert "TEMP B-TREE" not in plan, plan  # the index (with the rowid after it) is the order
    else:
        # In the index's order; only the ties of one instant are sorted, by id.
        assert "Presorted Key: created_at" in plan, plan
