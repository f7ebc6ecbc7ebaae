"""A user's passkeys in the admin: a count in the user list, the list on the user's page.

Read-only: a passkey is added and removed by its owner (recent
authentication, a security event and a mail each time), or all at once by
``accounts.passkeys.flows.remove_all``. The public key is never loaded for
these pages (it is no secret, but of no use to a reader).
"""
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.html import format_html, format_html_join

from accounts.admin.common import admin_time
from accounts.passkeys.models import Passkey

_SHOWN = 20  # the most an account may have (accounts.passkeys.flows.MAX_PER_USER)


def passkey_count():
    """Per-row correlated count over the (user, created_at) index, like the active-session count."""
    counted = Passkey.objects.filter(user=OuterRef("pk")).order_by().values("user").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def passkeys_table(user):
    """The user's passkeys as a small read-only table (HTML), for the user's change page."""
    if user is None or user.pk is None:
        return "—"
    rows = (
        Passkey.objects.filter(user=user)
        .order_by("created_at")
        .only("name", "created_at", "last_used_at", "transports", "backed_up", "aaguid", "sign_count")[:_SHOWN]
    )
    body = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                passkey.name,
                admin_time(passkey.created_at),
                admin_time(passkey.last_used_at) if passkey.last_used_at else "never",
                "synced" if passkey.backed_up else "this device only",
                passkey.transports or "—",
                passkey.aaguid or "—",
            )
            for passkey in rows
        ),
    )
    if not body:
        return "None"
    return format_html(
        '<table class="passkeys"><thead><tr><th>name</th><th>added</th><th>last used</th><th>kind</th>'
        "<th>transports</th><th>AAGUID (model)</th></tr></thead><tbody>{}</tbody></table>",
        body,
    )
