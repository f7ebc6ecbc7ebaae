"""Changing a second factor needs a recent authentication with a second factor, while the account has one.

A password alone must not remove what protects the account from whoever
has the password: while a factor is on, adding or removing one (the
authenticator app, a passkey) and making new recovery codes need an access
token whose ``auth_time`` is recent *and* whose ``amr`` holds ``otp`` or
``hwk`` (a code or a passkey was used: at the login's second step, at a
passkey sign-in, or at ``POST /api/auth/reauthenticate/``). Enrolling the
first factor still needs only a recent password: there is nothing stronger
to ask for.

The 403 ``reauthentication_required`` carries ``methods``: what a
re-authentication may use to satisfy it (``"password"`` while no factor is
on, ``"provider"`` instead for an account whose domain a provider requires,
with ``provider`` naming it; else the account's second steps, e.g.
``["totp", "recovery_code"]``),
so the browser's "Confirm it's you" dialog asks for the right thing.
"""
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from accounts.api import schema
from accounts.api.reauth import ReauthenticationRequired, authenticated_recently, single_sign_on_methods
from accounts.mfa import methods
from accounts.signin.gate import SECOND_FACTOR_AMR


class SecondFactorRequired(ReauthenticationRequired):
    default_detail = _("Confirm it is you with your second factor (a code or a passkey) to change it.")

    def __init__(self, detail=None, *, methods, provider=None):
        super().__init__(detail)
        self.methods = methods
        if provider is not None:  # the provider that owns the account's domain, for "provider" among methods
            self.extra_body = {"provider": provider}


def used_a_second_factor(grant) -> bool:
    """Whether the access token of ``grant`` comes from an authentication that used a second factor."""
    amr = grant.token.get("amr") if grant is not None else None
    return isinstance(amr, list) and bool(SECOND_FACTOR_AMR.intersection(amr))


class RecentAuthenticationAtFactorLevel(BasePermission):
    """Add after ``IsAuthenticated`` on routes that change a second factor (see the module's docstring)."""

    def has_permission(self, request, view):
        user = request.user
        if not user.mfa_enabled:
            if not authenticated_recently(request.auth):
                single_sign_on = single_sign_on_methods(user)
                if single_sign_on is not None:
                    raise SecondFactorRequired(ReauthenticationRequired.default_detail, **single_sign_on)
                raise SecondFactorRequired(ReauthenticationRequired.default_detail, methods=["password"])
            return True
        if not (authenticated_recently(request.auth) and used_a_second_factor(request.auth)):
            raise SecondFactorRequired(methods=[method.name for method in methods.available(user)])
        return True


class StepUpAnswers:
    """A view mixin: a ``SecondFactorRequired`` answer carries ``methods`` beside ``detail`` and ``code``."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(exc, SecondFactorRequired) and isinstance(response.data, dict):
            response.data["methods"] = exc.methods
        return response


# For ``schema.operation(errors=…)`` of these routes.
AT_FACTOR_LEVEL = {
    403: "The access token's authentication is older than `REAUTH_MAX_AGE`, or, while the account has a second "
    "factor, did not use one (`amr` without `otp` or `hwk`): `reauthentication_required`, with `methods` (what "
    "`POST /api/auth/reauthenticate/` may use here: `password`, or the account's second steps such as `totp`, "
    "`recovery_code`, `passkey`). Re-authenticate, then try again with the new access token. "
    + schema.THROUGH_ITS_PROVIDER[403],
}
