"""Database triggers: what ends a session is seen whoever writes it, raw SQL included.

1. Reactivating a user ends every session and personal access token the user
   still had (both databases). None can have begun while the user was
   inactive, so each predates the deactivation; Gatehouse's own deactivation
   has revoked them already (and audited it), a raw ``UPDATE … SET
   is_active = false`` has not. Without this, reactivating by SQL brought the
   old tokens back.
2. PostgreSQL only: ``pg_notify`` on the channel ``gatehouse_sessions`` for
   every change the per-request session check reads, for the live-session
   memory of each process (``accounts/sessions/live_sessions.py``): a
   session's revocation, shortened expiry, password fingerprint, owner or
   deletion while live (``s:<id>``); any change of its user but ``last_login``,
   or the user's deletion (``u:<pk>``); a TRUNCATE of either table (``*``).
   A column the check starts to read must be added to the session trigger.

The PostgreSQL triggers fire ``ALWAYS``, also under ``session_replication_role
= replica`` (``pg_restore --disable-triggers``, logical replication, bulk
scripts). On SQLite a migration that rebuilds a table drops its triggers:
``tests/sessions/test_deactivation_by_sql.py`` checks that they are there.
The listener checks the PostgreSQL ones each time it connects.
"""
from django.db import migrations

CHANNEL = "gatehouse_sessions"


def _tables(apps):
    names = ("User", "RefreshSession", "PersonalAccessToken")
    return {name: apps.get_model("accounts", name)._meta.db_table for name in names}


def _postgresql(t):
    return [
        f"""
        CREATE FUNCTION gatehouse_user_reactivated() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE "{t['RefreshSession']}" SET revoked_at = CURRENT_TIMESTAMP, revoked_reason = 'user_deactivated'
                WHERE user_id = NEW.id AND revoked_at IS NULL;
            UPDATE "{t['PersonalAccessToken']}" SET revoked_at = CURRENT_TIMESTAMP, revoked_reason = 'user_deactivated'
                WHERE user_id = NEW.id AND revoked_at IS NULL;
            RETURN NEW;
        END $$;
        CREATE TRIGGER gatehouse_user_reactivated AFTER UPDATE OF is_active ON "{t['User']}"
            FOR EACH ROW WHEN (NOT OLD.is_active AND NEW.is_active) EXECUTE FUNCTION gatehouse_user_reactivated();
        ALTER TABLE "{t['User']}" ENABLE ALWAYS TRIGGER gatehouse_user_reactivated;
        """,
        f"""
        CREATE FUNCTION gatehouse_session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                -- A day's margin for clocks that disagree; cleanup deletes only what ended long before.
                IF OLD.revoked_at IS NULL AND OLD.expires_at > CURRENT_TIMESTAMP - interval '1 day' THEN
                    PERFORM pg_notify('{CHANNEL}', 's:' || OLD.id::text);
                END IF;
                RETURN OLD;
            END IF;
            IF NEW.revoked_at IS DISTINCT FROM OLD.revoked_at
               OR NEW.expires_at < OLD.expires_at
               OR NEW.password_fingerprint IS DISTINCT FROM OLD.password_fingerprint
               OR NEW.user_id IS DISTINCT FROM OLD.user_id
               OR NEW.id IS DISTINCT FROM OLD.id THEN
                PERFORM pg_notify('{CHANNEL}', 's:' || OLD.id::text);
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER gatehouse_session_changed AFTER UPDATE OR DELETE ON "{t['RefreshSession']}"
            FOR EACH ROW EXECUTE FUNCTION gatehouse_session_changed();
        ALTER TABLE "{t['RefreshSession']}" ENABLE ALWAYS TRIGGER gatehouse_session_changed;
        """,
        f"""
        CREATE FUNCTION gatehouse_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                PERFORM pg_notify('{CHANNEL}', 'u:' || OLD.id::text);
                RETURN OLD;
            END IF;
            IF (to_jsonb(NEW) - 'last_login') IS DISTINCT FROM (to_jsonb(OLD) - 'last_login') THEN
                PERFORM pg_notify('{CHANNEL}', 'u:' || OLD.id::text);
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER gatehouse_user_changed AFTER UPDATE OR DELETE ON "{t['User']}"
            FOR EACH ROW EXECUTE FUNCTION gatehouse_user_changed();
        ALTER TABLE "{t['User']}" ENABLE ALWAYS TRIGGER gatehouse_user_changed;
        """,
        f"""
        CREATE FUNCTION gatehouse_sessions_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', '*');
            RETURN NULL;
        END $$;
        CREATE TRIGGER gatehouse_sessions_truncated AFTER TRUNCATE ON "{t['RefreshSession']}"
            FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_sessions_truncated();
        CREATE TRIGGER gatehouse_users_truncated AFTER TRUNCATE ON "{t['User']}"
            FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_sessions_truncated();
        ALTER TABLE "{t['RefreshSession']}" ENABLE ALWAYS TRIGGER gatehouse_sessions_truncated;
        ALTER TABLE "{t['User']}" ENABLE ALWAYS TRIGGER gatehouse_users_truncated;
        """,
    ]


def _postgresql_reverse(t):
    return [
        f'DROP TRIGGER IF EXISTS gatehouse_users_truncated ON "{t["User"]}"',
        f'DROP TRIGGER IF EXISTS gatehouse_sessions_truncated ON "{t["RefreshSession"]}"',
        "DROP FUNCTION IF EXISTS gatehouse_sessions_truncated()",
        f'DROP TRIGGER IF EXISTS gatehouse_user_changed ON "{t["User"]}"',
        "DROP FUNCTION IF EXISTS gatehouse_user_changed()",
        f'DROP TRIGGER IF EXISTS gatehouse_session_changed ON "{t["RefreshSession"]}"',
        "DROP FUNCTION IF EXISTS gatehouse_session_changed()",
        f'DROP TRIGGER IF EXISTS gatehouse_user_reactivated ON "{t["User"]}"',
        "DROP FUNCTION IF EXISTS gatehouse_user_reactivated()",
    ]


def _sqlite(t):
    # Django keeps SQLite datetimes as UTC text, 'YYYY-MM-DD HH:MM:SS.fff' included.
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    return [
        f"""
        CREATE TRIGGER gatehouse_user_reactivated AFTER UPDATE OF is_active ON "{t['User']}"
        FOR EACH ROW WHEN NOT OLD.is_active AND NEW.is_active
        BEGIN
            UPDATE "{t['RefreshSession']}" SET revoked_at = {now}, revoked_reason = 'user_deactivated'
                WHERE user_id = NEW.id AND revoked_at IS NULL;
            UPDATE "{t['PersonalAccessToken']}" SET revoked_at = {now}, revoked_reason = 'user_deactivated'
                WHERE user_id = NEW.id AND revoked_at IS NULL;
        END
        """,
    ]


def _sqlite_reverse(t):
    return ["DROP TRIGGER IF EXISTS gatehouse_user_reactivated"]


def _run(statements_for):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        builders = statements_for.get(vendor)
        if builders is None:
            return
        for sql in builders(_tables(apps)):
            schema_editor.execute(sql, None)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_passkeys")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": _postgresql, "sqlite": _sqlite}),
            _run({"postgresql": _postgresql_reverse, "sqlite": _sqlite_reverse}),
        ),
    ]
