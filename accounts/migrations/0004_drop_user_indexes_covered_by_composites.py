"""Drop the single-column user indexes that a composite index leading with the user already covers.

Every session insert, rotation and event insert wrote one b-tree more than
the lookups need. Only the indexes go: Django's AlterField would rebuild
both tables on SQLite and re-validate the foreign keys on PostgreSQL, so
the database side is a plain DROP INDEX (and CREATE INDEX to reverse).
"""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

_SESSION_USER_INDEX = "accounts_refreshsession_user_id_a6d046da"
_EVENT_USER_INDEX = "accounts_securityevent_user_id_b711491d"


class Migration(migrations.Migration):

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
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{_SESSION_USER_INDEX}"',
                    f'CREATE INDEX "{_SESSION_USER_INDEX}" ON "accounts_refreshsession" ("user_id")',
                ),
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{_EVENT_USER_INDEX}"',
                    f'CREATE INDEX "{_EVENT_USER_INDEX}" ON "accounts_securityevent" ("user_id")',
                ),
            ],
        ),
    ]
