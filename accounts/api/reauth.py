"""Routes that need a recent authentication ("sudo mode").

Changing the password, the address, a factor or the recovery codes, and
creating personal tokens, needs an access token whose ``auth_time`` lies
within ``REAUTH_MAX_AGE``: a token stolen from an idle tab, or a session
left open on a shared computer, cannot take the account over. The answer
says exactly what is missing (403 ``reauthentication_required``), so a
client knows to ask for ``POST /api/auth/reauthenticate/`` and then retry.
An account whose domain a provider requires confirms through that provider
(or a second factor), never its password: its 403 names ``methods`` and the
``provider`` (``accounts.signin.gate.check_reauthentication``).
"""
import time

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from accounts import conf
from accounts.federation import domains
from accounts.mfa import methods


class ReauthenticationRequired(PermissionDenied):
    default_detail = _("Confirm it is you: authenticate again to do this.")
    default_code = "reauthentication_required"


def authenticated_recently(grant, *, now=None) -> bool:
    """Whether the access token of ``grant`` (``request.auth``) was issued after a recent authentication."""
    # A personal token's grant has no access token: it is never a recent authentication.
    token = getattr(grant, "token", None)
    auth_time = token.get("auth_time") if token is not None else None
    if not isinstance(auth_time, int) or isinstance(auth_time, bool):
        return False
    now = time.time() if now is None else now
    return now - auth_time <= conf.reauth_max_age()


def single_sign_on_methods(user) -> dict | None:
    """For an account whose domain a provider requires: what confirms it is them (never its password).

    ``{"methods": ["provider", …its second steps], "provider": slug}`` for the
    403's body, so "Confirm it's you" offers that provider (and a code or a
    passkey the account has) instead of a password field; None otherwise.
    """
    owner = domains.required_provider(user.email)
    if owner is None:
        return None
    return {"methods": ["provider", *(method.name for method in methods.available(user))], "provider": owner}


class RecentAuthentication(BasePermission):
    """Add after ``IsAuthenticated``: refuses with 403 ``reauthentication_required`` when the authentication is old."""

    def has_permission(self, request, view):
        if not authenticated_recently(request.auth):
            refusal = ReauthenticationRequired()
            refusal.extra_body = single_sign_on_methods(request.user)
            raise refusal
        return True
