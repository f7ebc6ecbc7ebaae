"""Writing the security audit trail."""
from accounts.models import SecurityEvent


def record_event(kind, *, user=None, username="", session_id=None, actor=None, reason="", client=None):
    """Append one security event. ``client`` is the request's ``ClientInfo``, if any."""
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or getattr(user, "username", ""))[:150],
        session_id=session_id,
        actor=actor,
        reason=reason,
        ip_address=client.ip_address if client else None,
        user_agent=client.user_agent if client else "",
    )
