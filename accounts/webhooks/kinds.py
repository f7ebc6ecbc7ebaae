"""The event types an endpoint may subscribe to."""

EVENT_TYPES = (
    "user.created",
    "user.updated",
    "user.deleted",
    "session.created",
    "session.revoked",
    "password.changed",
    "mfa.changed",
    # An identity at a sign-in provider linked or unlinked (accounts.federation.notices).
    "identity.linked",
    "identity.unlinked",
)


def parse(value) -> list[str]:
    """Event types from ``"a,b"`` (or a list), de-duplicated in the canonical order; ValueError names an unknown one."""
    names = value.split(",") if isinstance(value, str) else list(value)
    names = {name.strip() for name in names if name and name.strip()}
    unknown = sorted(names - set(EVENT_TYPES))
    if unknown:
        raise ValueError(f"Unknown event type(s): {', '.join(unknown)}. Known: {', '.join(EVENT_TYPES)}.")
    if not names:
        raise ValueError("Name at least one event type.")
    return [name for name in EVENT_TYPES if name in names]
