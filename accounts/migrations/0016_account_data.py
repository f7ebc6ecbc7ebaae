"""The account's own data: a saved language; reasons and events for signing out elsewhere, username changes,
exports and deletions.

On SQLite, adding the column rebuilds the user table, which drops its
trigger (migration 0010's ``gatehouse_user_reactivated``): it is made again
after the rebuild, both ways (as in 0012).
"""
import importlib

from django.db import migrations, models


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
        ('accounts', '0015_trusted_devices'),
    ]

    operations = [
        # Unapplied, the column's removal rebuilds the table again: this step's reverse runs after it.
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_triggers),
        migrations.AddField(
            model_name='user',
            name='language',
            field=models.CharField(blank=True, default='', max_length=16),
        ),
        migrations.RunPython(restore_sqlite_triggers, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='refreshsession',
            name='revoked_reason',
            field=models.CharField(blank=True, choices=[('logout', 'Logged out'), ('logout_all', 'Logged out everywhere'), ('user_revoked', 'Revoked by the user'), ('password_changed', 'Password changed'), ('user_deactivated', 'User deactivated'), ('admin_revoked', 'Revoked by an administrator'), ('reuse_detected', 'Refresh token reuse detected'), ('password_reset', 'Password reset by email'), ('logout_others', 'Logged out everywhere else'), ('account_deleted', 'Account deleted')], max_length=32),
        ),
        migrations.AlterField(
            model_name='securityevent',
            name='kind',
            field=models.CharField(choices=[('login_succeeded', 'Login succeeded'), ('login_failed', 'Login failed'), ('reuse_detected', 'Refresh token reuse detected'), ('logout', 'Logged out'), ('session_revoked', 'Session revoked'), ('password_changed', 'Password changed'), ('registered', 'Signed up'), ('reauthenticated', 'Confirmed it is them again (password or code)'), ('password_reset_requested', 'Password reset requested'), ('password_reset', 'Password reset by email'), ('mfa_totp_added', 'Authenticator app added'), ('mfa_totp_removed', 'Authenticator app removed'), ('mfa_recovery_codes_created', 'Recovery codes generated'), ('mfa_recovery_code_used', 'Recovery code used'), ('mfa_reset', 'Two-step sign-in reset by an administrator'), ('personal_token_created', 'Personal access token created'), ('personal_token_revoked', 'Personal access token revoked'), ('email_verified', 'Email address verified'), ('email_change_requested', 'Change of email address requested'), ('email_changed', 'Email address changed'), ('passkey_added', 'Passkey added'), ('passkey_removed', 'Passkey removed'), ('passkey_sign_count_regressed', 'Passkey signature counter went back (refused)'), ('username_changed', 'Username changed'), ('data_exported', 'Account data downloaded'), ('account_deleted', 'Account deleted')], max_length=32),
        ),
    ]
