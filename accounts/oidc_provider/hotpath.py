"""The refresh's read of a client grant and its client, written once per process (``accounts.precompiled``).

A client's refresh runs the browser's locked session read and rotation
UPDATE (``accounts.sessions.hotpath``) plus this one read; with the ORM,
compiling this join cost more than the rest of the refresh together
(target: a client's refresh at most 1.5x the browser's, ``python -m bench.oidc``).
"""
from accounts.oidc_provider.models import ClientGrant
from accounts.precompiled import RowWithParent

_GRANT_WITH_CLIENT = RowWithParent(ClientGrant, "client", by=("session",))


def grant_with_client(session_id, *, alias="default"):
    """The grant of the session ``session_id`` with its client loaded; None when the session is no client's."""
    return _GRANT_WITH_CLIENT.get(session_id, alias=alias)
