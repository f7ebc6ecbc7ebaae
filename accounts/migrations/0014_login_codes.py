"""Sign-in by email code: the live code of each address, as keyed digests (accounts/email_codes/); and
how a pending second step's first step was made (a password, or a mailed code), for the session's amr.

Depends on both 0012 and 0013, which each followed 0011.
"""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0013_factors_added_while_unverified"),
    ]

    operations = [
        migrations.AddField(
            model_name="mfachallenge",
            name="first_methods",
            field=models.CharField(default="pwd", editable=False, max_length=32),
        ),
        migrations.CreateModel(
            name="LoginCode",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("address_digest", models.CharField(max_length=64, unique=True)),
                ("code_digest", models.CharField(max_length=64)),
                ("tries", models.PositiveSmallIntegerField(default=0)),
                ("created_at", models.DateTimeField()),
                ("expires_at", models.DateTimeField(db_index=True)),
                (
                    "user",
                    models.ForeignKey(
                        blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE,
                        related_name="+", to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "sign-in code",
                "indexes": [models.Index(fields=["user"], name="login_code_user_idx")],
            },
        ),
    ]
