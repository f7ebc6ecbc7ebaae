"""Record on each factor whether it was added while the account's address was not verified.

A password reset proves the mailbox, so it ends what an unverified past
could have attached (``accounts.mfa.factors.end_unverified_past``). New
factors record it when added; for those already stored only the address's
verification time is known, so a factor counts as added while unverified
when its user has no verified address or verified it after the factor was
added (an address changed since may make that err toward removal at a
reset, which the owner does from the mailbox and is told of by mail).
"""
from django.db import migrations, models
from django.db.models import F, Q


def mark_existing(apps, schema_editor):
    unverified_then = {
        "Passkey": ("created_at",),
        "TotpDevice": ("confirmed_at",),
        "RecoveryCode": ("created_at",),
    }
    for name, (added_at,) in unverified_then.items():
        model = apps.get_model("accounts", name)
        model.objects.filter(
            Q(user__email_verified_at__isnull=True) | Q(user__email_verified_at__gt=F(added_at))
        ).update(added_while_unverified=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_email_normalized_and_link_generation"),
    ]

    operations = [
        migrations.AddField(
            model_name="passkey",
            name="added_while_unverified",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="recoverycode",
            name="added_while_unverified",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="totpdevice",
            name="added_while_unverified",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_existing, migrations.RunPython.noop),
    ]
