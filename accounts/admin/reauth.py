"""A recent authentication of the acting administrator, for the actions that take an account over.

Resetting someone's two-step sign-in or setting their password hands the
account to whoever holds it next: an admin session left open, or stolen,
must not be enough. Such actions need the admin's own authentication within
``REAUTH_MAX_AGE`` (the limit the API applies to ``auth_time``): the admin
login counts (noted in the session when Django logs the user in, after the
second step where there is one); otherwise ``ReauthenticationForm`` asks for
the password, and the second step when the admin has a factor (a code, or
their passkey through ``accounts/admin-passkey.js``), on the action's
confirmation page. Wrong passwords and codes count in the login
backoff, as at the login.
"""
import secrets
import time

from django import forms
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import gettext as _, gettext_lazy, ngettext

from accounts import conf
from accounts.admin import second_step
from accounts.audit import record_event
from accounts.limits import backoff
from accounts.limits.net import client_info
from accounts.models import SecurityEventKind

AUTH_TIME = "gatehouse_admin_auth_time"
_PASSKEY_BINDING = "gatehouse_admin_reauth_passkey"


@receiver(user_logged_in, dispatch_uid="gatehouse-admin-auth-time")
def _note_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[AUTH_TIME] = time.time()


def is_recent(request) -> bool:
    """Whether this admin session authenticated within ``REAUTH_MAX_AGE``."""
    moment = request.session.get(AUTH_TIME)
    return isinstance(moment, (int, float)) and 0 <= time.time() - moment <= conf.reauth_max_age()


class ReauthenticationForm(forms.Form):
    """The acting admin's password, and their second step when they have a factor (a code or a passkey)."""

    password = forms.CharField(
        label=gettext_lazy("Your password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app, or a recovery code"), required=False, max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )
    credential = forms.JSONField(required=False, widget=forms.HiddenInput)

    def __init__(self, request, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.admin = request.user
        methods = set(second_step.method_names(self.admin)) if second_step.required(self.admin) else set()
        self.offers_passkey = "passkey" in methods and second_step.passkey_options_available()
        if not methods & {"totp", "recovery_code"}:
            del self.fields["code"]
        if not self.offers_passkey:
            del self.fields["credential"]

    def passkey_options(self):
        """WebAuthn options for this confirmation, bound to a fresh nonce kept in this admin session."""
        if not self.offers_passkey:
            return None
        binding = secrets.token_urlsafe(32)
        self.request.session[_PASSKEY_BINDING] = binding
        return second_step.passkey_options(user=self.admin, binding=binding)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        client = client_info(self.request)
        username = self.admin.get_username()
        attempt = backoff.check(username=username, ip_address=client.ip_address)
        if attempt.wait:
            raise forms.ValidationError(
                ngettext("Too many attempts. Try again in %(seconds)d second.",
                         "Too many attempts. Try again in %(seconds)d seconds.", attempt.wait)
                % {"seconds": attempt.wait}
            )
        method = "pwd" if self.admin.check_password(cleaned["password"]) else None
        if method and second_step.required(self.admin):
            method = self._second_step(cleaned, client)
        if method is None:
            backoff.record_failure(username=username, ip_address=client.ip_address)
            record_event(SecurityEventKind.LOGIN_FAILED, user=self.admin, reason="admin_reauthentication",
                         client=client)
            raise forms.ValidationError(_("That password, code or passkey is not right."))
        backoff.record_success(attempt)
        self.request.session[AUTH_TIME] = time.time()
        record_event(SecurityEventKind.REAUTHENTICATED, user=self.admin, reason=f"admin:{method}", client=client)
        return cleaned

    def _second_step(self, cleaned, client):
        """The name of the method that accepted the code or the passkey's answer; None if none did."""
        credential = cleaned.get("credential")
        if isinstance(credential, dict):
            binding = self.request.session.pop(_PASSKEY_BINDING, None)  # one answer per options
            if not binding:
                return None
            verified = second_step.verify(user=self.admin, credential=credential, binding=binding, client=client)
        elif cleaned.get("code"):
            verified = second_step.verify(user=self.admin, code=cleaned["code"], binding="", client=client)
        else:
            return None
        return verified.name if verified is not None else None
