"""An identity linked or unlinked: the security event, a mail to the owner and the webhook, in one transaction."""
from django.utils import timezone

from accounts import conf
from accounts.audit import record_event
from accounts.mail import outbox
from accounts.models import SecurityEventKind
from accounts.webhooks import events as webhooks


def linked(*, identity, client=None, session_id=None) -> None:
    _tell(identity, SecurityEventKind.IDENTITY_LINKED, "identity_linked", "identity.linked", client, session_id)


def unlinked(*, identity, client=None, session_id=None) -> None:
    _tell(identity, SecurityEventKind.IDENTITY_UNLINKED, "identity_unlinked", "identity.unlinked", client, session_id)


def _tell(identity, kind, template, webhook, client, session_id) -> None:
    user, provider = identity.user, identity.provider
    record_event(kind, user=user, session_id=session_id, reason=provider.slug, client=client)
    webhooks.emit(webhook, {
        "user_id": user.pk, "identity_id": identity.pk, "provider": provider.slug, "subject": identity.subject,
    })
    if not user.email:
        return
    outbox.enqueue(
        to=user.email,
        template=template,
        context={
            "user": user, "provider_name": provider.name, "provider_email": identity.email,
            "when": timezone.now(), "ip_address": client.ip_address if client else None,
            "site_url": conf.site_url() or "",
        },
    )
