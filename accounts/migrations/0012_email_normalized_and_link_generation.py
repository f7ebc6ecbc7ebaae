"""Email addresses stored in their normalised form, and the counter address links are bound to.

Addresses stored before normalisation (``accounts.identity.normalized_email``)
are rewritten in it, so the unique index on the lower-cased address compares
canonical forms for old rows too: an old ``x@examplｅ.test`` (fullwidth)
becomes ``x@example.test``, and a new sign-up with either spelling is refused.
Two rows are left as they are, and named in a warning, for an administrator
to settle: an address that cannot be normalised (it holds an invisible
character, or its domain is no domain name), and one whose normalised form
another account already has (two accounts on one mailbox: neither may be
changed behind its owner's back).

On SQLite, adding a column that is not null rebuilds the user table, which
drops its trigger (migration 0010's ``gatehouse_user_reactivated``): it is
made again after the rebuild, both ways.
"""
import importlib
import logging

from django.core.exceptions import ValidationError
from django.db import migrations, models

logger = logging.getLogger("accounts.migrations")


def normalize_addresses(apps, schema_editor):
    from accounts.identity import normalized_email

    User = apps.get_model("accounts", "User")
    rows = list(User._default_manager.exclude(email="").values_list("pk", "email"))
    taken = {email.lower() for _, email in rows}
    for pk, email in rows:
        try:
            normalized = normalized_email(email)
        except ValidationError:
            logger.warning("User %s keeps an email address that cannot be normalised; fix it in the admin.", pk)
            continue
        if normalized == email:
            continue
        if normalized.lower() != email.lower() and normalized.lower() in taken:
            logger.warning("User %s keeps its email address: another account has its normalised form.", pk)
            continue
        User._default_manager.filter(pk=pk).update(email=normalized)
        taken.add(normalized.lower())


def restore_sqlite_triggers(apps, schema_editor):
    """0010's SQLite trigger on the user table, which the table's rebuild dropped."""
    if schema_editor.connection.vendor != "sqlite":
        return
    triggers = importlib.import_module("accounts.migrations.0010_live_session_notifications")
    schema_editor.execute("DROP TRIGGER IF EXISTS gatehouse_user_reactivated", None)
    for sql in triggers._sqlite(triggers._tables(apps)):
        schema_editor.execute(sql, None)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0011_session_admin_indexes'),
    ]

    operations = [
        # Unapplied, the column's removal rebuilds the table again: this step's reverse runs after it.
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_triggers),
        migrations.AddField(
            model_name='user',
            name='email_link_generation',
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(restore_sqlite_triggers, migrations.RunPython.noop),
        migrations.RunPython(normalize_addresses, migrations.RunPython.noop),
    ]
