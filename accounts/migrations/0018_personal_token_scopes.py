"""Personal tokens carry scopes. Tokens made before keep exactly what they could do: the two data routes.

``profile:read`` (GET /api/auth/me/) and ``users:read`` (GET /api/auth/users/,
still for staff with the permission only) were the routes a personal token
worked on; every existing token is given both, so no script breaks.

On SQLite, adding the column rebuilds the token table, which 0010's trigger
on the user table names (``gatehouse_user_reactivated``): the trigger is
dropped before the rebuild and made again after, both ways.
"""
import importlib

from django.db import migrations, models

# Written out, not imported: a migration keeps the meaning it had when it was written.
SCOPES_BEFORE_SCOPES = ["profile:read", "users:read"]


def give_existing_tokens_their_former_reach(apps, schema_editor):
    PersonalAccessToken = apps.get_model("accounts", "PersonalAccessToken")
    PersonalAccessToken.objects.all().update(scopes=SCOPES_BEFORE_SCOPES)


def drop_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS gatehouse_user_reactivated", None)


def restore_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    triggers = importlib.import_module("accounts.migrations.0010_live_session_notifications")
    schema_editor.execute("DROP TRIGGER IF EXISTS gatehouse_user_reactivated", None)
    for sql in triggers._sqlite(triggers._tables(apps)):
        schema_editor.execute(sql, None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0016_account_data")]

    operations = [
        migrations.RunPython(drop_sqlite_trigger, restore_sqlite_trigger),
        migrations.AddField(
            model_name="personalaccesstoken",
            name="scopes",
            field=models.JSONField(
                blank=True, default=list, help_text="What the token may do: the scopes it was given."
            ),
        ),
        migrations.RunPython(restore_sqlite_trigger, drop_sqlite_trigger),
        migrations.RunPython(give_existing_tokens_their_former_reach, migrations.RunPython.noop),
    ]
