"""Drop the single-column user indexes that a composite index leading with the user already covers.

Every session insert, rotation and event insert wrote one b-tree more than
the lookups need. Only the indexes go: Django's AlterField would rebuild
both tables on SQLite and re-validate the foreign keys on PostgreSQL. On
PostgreSQL the index is dropped (or, going back, built) CONCURRENTLY, so
that logins and token checks never queue behind the migration's lock; that
needs the migration to run outside a transaction.
"""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Django's names for the ForeignKey indexes of 0001 (the same on SQLite and PostgreSQL).
_INDEXES = {
    "accounts_refreshsession_user_id_a6d046da": "accounts_refreshsession",
    "accounts_securityevent_user_id_b711491d": "accounts_securityevent",
}


def _concurrently(schema_editor):
    return " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""


def drop_indexes(apps, schema_editor):
    for name in _INDEXES:
        schema_editor.execute(f'DROP INDEX{_concurrently(schema_editor)} IF EXISTS "{name}"')


def create_indexes(apps, schema_editor):
    # Dropped first: a concurrent build that failed earlier leaves an INVALID index of that name.
    drop_indexes(apps, schema_editor)
    for name, table in _INDEXES.items():
        schema_editor.execute(f'CREATE INDEX{_concurrently(schema_editor)} "{name}" ON "{table}" ("user_id")')


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("accounts", "0003_session_created_id_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="refreshsession",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.CASCADE,
                        related_name="refresh_sessions", to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="securityevent",
                    name="user",
                    field=models.ForeignKey(
                        blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL,
                        related_name="security_events", to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
    ]
