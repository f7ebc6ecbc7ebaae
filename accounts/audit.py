"""Writing the security audit trail."""
from django.utils import timezone

from accounts.models import SecurityEvent
from accounts.text import strip_control_characters


def new_event(
    kind, *, user=None, username="", session_id=None, actor=None, reason="", client=None, now=None,
    personal_token_id=None,
):
    """An unsaved security event. ``client`` is the request's ``ClientInfo``, if any.

    ``username`` is recorded as typed at a login, so it is cleaned of control characters.
    """
    return SecurityEvent(
        kind=kind,
        created_at=now or timezone.now(),
        user=user,
        username=strip_control_characters(username or getattr(user, "username", ""))[:150],
        session_id=session_id,
        personal_token_id=personal_token_id,
        actor=actor,
        reason=reason,
        ip_address=client.ip_address if client else None,
        user_agent=client.user_agent if client else "",
    )


def record_event(kind, **details):
    """Append one security event (see ``new_event`` for the details)."""
    event = new_event(kind, **details)
    event.save(force_insert=True)
    return event
