"""Precompiled SQL for the statements every client runs all day.

The authenticated request's session + user lookup, and the refresh's locked
read and its UPDATE. Building a query with the ORM costs more
than running it: for the authenticated request's query Django spends about
0.2 ms resolving lookups and compiling SQL, against 0.03 ms for SQLite to
answer it. These statements are written once per process and database alias
from the models' metadata (``accounts.precompiled``), so they follow the
models, and are then only executed. Same
statements and semantics as the ORM calls they replace (the lifecycle, fault
and query-budget tests pin them); no model save signal is sent for the
rotation's UPDATE (the one receiver of RefreshSession saves, in
``accounts/signals.py``, makes this process forget a session revoked by a
save; a rotation leaves it live).
"""
from functools import cache

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connections

from accounts.models import RefreshSession
from accounts.precompiled import Columns, RowWithParent, adapter

_SESSION_ALIAS = "s"
_USER_ALIAS = "u"


class _Statements:
    def __init__(self, alias):
        connection = connections[alias]
        quote = connection.ops.quote_name
        User = get_user_model()
        session_table, user_table = quote(RefreshSession._meta.db_table), quote(User._meta.db_table)
        s, u = quote(_SESSION_ALIAS), quote(_USER_ALIAS)

        def column(alias_sql, model, name):
            return f"{alias_sql}.{quote(model._meta.get_field(name).column)}"

        join = (
            f"FROM {session_table} {s} INNER JOIN {user_table} {u} "
            f"ON ({column(s, RefreshSession, 'user')} = {column(u, User, User._meta.pk.name)})"
        )
        self.user_columns = Columns(User, _USER_ALIAS, connection)
        self.expires_at_column = Columns(RefreshSession, _SESSION_ALIAS, connection, only=["expires_at"])

        # The user of a live session, and the session's password fingerprint
        # and expiry: one indexed lookup by primary key.
        self.live_session_user = _NativeSelect(
            f"SELECT {self.user_columns.sql}, {column(s, RefreshSession, 'password_fingerprint')}, "
            f"{column(s, RefreshSession, 'expires_at')} {join} "
            f"WHERE {column(s, RefreshSession, 'id')} = %s AND {column(s, RefreshSession, 'user')} = %s "
            f"AND {column(s, RefreshSession, 'revoked_at')} IS NULL AND {column(s, RefreshSession, 'expires_at')} > %s "
            f"AND {column(u, User, 'is_active')} = %s",
            connection,
        )
        self.rotation_fields = [
            RefreshSession._meta.get_field(name)
            for name in (
                "generation", "rotated_at", "last_used_at", "expires_at", "last_ip_address", "rotated_by_client",
            )
        ]
        self.rotation_adapters = [adapter(field, connection) for field in self.rotation_fields]
        self.save_rotation = (
            f"UPDATE {session_table} SET "
            + ", ".join(f"{quote(field.column)} = %s" for field in self.rotation_fields)
            + f" WHERE {quote(RefreshSession._meta.pk.column)} = %s"
        )
        self.user_pk_adapter = adapter(User._meta.pk, connection)
        self.session_pk_adapter = adapter(RefreshSession._meta.pk, connection)
        self.expires_at_adapter = adapter(RefreshSession._meta.get_field("expires_at"), connection)


class _NativeSelect:
    """A precompiled SELECT, also in the form its driver takes, run without Django's per-call cursor layers.

    For each call Django's cursor converts the placeholders (a regex, on
    SQLite) or builds the SQL text with the parameters quoted into it (in
    Python, on PostgreSQL), and wraps the call for logging. For the statement
    every authenticated request runs that work is done once: ``?``
    placeholders for SQLite; on PostgreSQL (psycopg 3) the parameters are
    bound by the server, in unnamed statements, so transaction-mode poolers
    keep working. Django's connection checks still run and driver errors are
    still translated. The statement goes through Django's cursor like any
    other while queries are logged or wrapped (``DEBUG``, the test suite's
    query counting, ``connection.execute_wrapper``), and on any other driver;
    instrumentation that patches Django's cursor classes or a backend's
    ``create_cursor`` does not see it.
    """

    def __init__(self, sql, connection):
        self.sql = sql
        self.driver = _driver_for(connection)
        self.native_sql = self.driver.native_sql(sql) if self.driver else None

    def fetchone(self, connection, params):
        if self.native_sql is None or connection.queries_logged or connection.execute_wrappers:
            return self._through_django(connection, params)
        # What connection.cursor() and CursorWrapper.execute() check, in their order.
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        if not self.driver.matches(connection):
            return self._through_django(connection, params)
        connection.validate_thread_sharing()
        connection.validate_no_broken_transaction()
        with connection.wrap_database_errors:
            cursor = self.driver.cursor(connection.connection)
            try:
                cursor.execute(self.native_sql, params)
                return cursor.fetchone()
            finally:
                try:
                    cursor.close()
                except connection.Database.Error:
                    pass  # as Django's cursor wrapper: a failed close does not fail the query

    def _through_django(self, connection, params):
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            return cursor.fetchone()


def _driver_for(connection):
    if connection.vendor == "sqlite":
        return _SQLite
    if connection.vendor == "postgresql" and connection.Database.__name__ == "psycopg":
        return _Psycopg
    return None


class _SQLite:
    @staticmethod
    def native_sql(sql):
        return None if "%%" in sql else sql.replace("%s", "?")

    @staticmethod
    def matches(connection):
        return True

    @staticmethod
    def cursor(driver_connection):
        return driver_connection.cursor()


class _Psycopg:
    @staticmethod
    def native_sql(sql):
        return sql

    @staticmethod
    def matches(connection):
        # Django gives a cursor its own time-zone loader when the connection's
        # disagrees with the settings (changed since it opened); let it.
        import psycopg

        timestamptz = psycopg.adapters.types["timestamptz"].oid
        loader = connection.connection.adapters.get_loader(timestamptz, psycopg.pq.Format.TEXT)
        return loader.timezone == connection.timezone

    @staticmethod
    def cursor(driver_connection):
        import psycopg

        return psycopg.Cursor(driver_connection)


@cache
def _statements(alias):
    return _Statements(alias)


def live_session_user(*, session_id, user_pk, now, alias="default"):
    """(user, the session's password fingerprint, its expiry) for the live session ``session_id``
    of the active user ``user_pk``; None otherwise. ``now`` is an aware datetime."""
    connection = connections[alias]
    statements = _statements(alias)
    params = [
        statements.session_pk_adapter(session_id),
        statements.user_pk_adapter(user_pk),
        statements.expires_at_adapter(now),
        True,
    ]
    row = statements.live_session_user.fetchone(connection, params)
    if row is None:
        return None
    (expires_at,) = statements.expires_at_column.convert(row[-1:], connection)
    return statements.user_columns.load(alias, row[:-2], connection), row[-2], expires_at


def locked_session(session_id, *, alias="default"):
    """The session with its user, row-locked (call inside ``transaction.atomic``); None if unknown."""
    return _LOCKED_SESSION.get(session_id, alias=alias)


_LOCKED_SESSION = RowWithParent(RefreshSession, "user", by=("id",), lock=True)


def save_rotation(session, *, alias="default"):
    """Write the rotation fields of ``session`` in one UPDATE (generation, rotated_at, last_used_at,
    expires_at, last_ip_address, rotated_by_client)."""
    connection = connections[alias]
    statements = _statements(alias)
    params = [
        adapt(getattr(session, field.attname))
        for field, adapt in zip(statements.rotation_fields, statements.rotation_adapters)
    ]
    params.append(statements.session_pk_adapter(session.pk))
    with connection.cursor() as cursor:
        cursor.execute(statements.save_rotation, params)
        if cursor.rowcount != 1:  # as save(update_fields=...) would
            raise DatabaseError(f"Rotating session {session.pk} updated {cursor.rowcount} rows.")
