"""Gatehouse's public Python names: what your own Django app imports to protect its API routes.

Part of the HTTP layer (it gathers names from it and from the core), so only
apps outside ``accounts`` import it.

These names are a stable API (``docs/building-on-gatehouse.md`` lists them and
a test imports each one): they keep their meaning across releases; anything
else under ``accounts`` may move. Import from here, never from the modules
behind them.

- ``ProtectedAPIView``: an ``APIView`` whose answers are never cached, taking
  Gatehouse's access tokens (and personal tokens, where it declares a scope).
- ``AUTHENTICATION_CLASSES``: the authentication classes, in the order they
  must run (personal tokens first), for a view that sets its own.
- ``PersonalTokenAuthentication``, ``SessionBoundJWTAuthentication``: the two.
- ``RecentAuthentication``: a permission, after ``IsAuthenticated``: 403
  ``reauthentication_required`` unless the user signed in (or confirmed it is
  them) within ``REAUTH_MAX_AGE``. A personal token never passes it.
- ``Scope``: ``token_scope = Scope("reports:read", "Read your reports.")`` on
  a view lets personal tokens that carry that scope call it.
"""
from rest_framework.permissions import IsAuthenticated

from accounts.api.base import BearerView as _BearerView
from accounts.api.reauth import RecentAuthentication
from accounts.personal_tokens.authentication import PersonalTokenAuthentication
from accounts.personal_tokens.scopes import Scope
from accounts.sessions.authentication import SessionBoundJWTAuthentication

AUTHENTICATION_CLASSES = (PersonalTokenAuthentication, SessionBoundJWTAuthentication)


class ProtectedAPIView(_BearerView):
    """Base of a protected route: a valid access token of a live session (``IsAuthenticated``), never cached."""

    authentication_classes = AUTHENTICATION_CLASSES
    permission_classes = (IsAuthenticated,)


__all__ = [
    "AUTHENTICATION_CLASSES",
    "PersonalTokenAuthentication",
    "ProtectedAPIView",
    "RecentAuthentication",
    "Scope",
    "SessionBoundJWTAuthentication",
]
