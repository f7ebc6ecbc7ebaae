"""A recent authentication of the acting administrator, for the actions that take an account over.

Resetting someone's two-step sign-in or setting their password hands the
account to whoever holds it next: an admin session left open, or stolen,
must not be enough. Such actions need the admin's own authentication within
``REAUTH_MAX_AGE`` (the limit the API applies to ``auth_time``): the admin
login counts (noted in the session when Django logs the user in, after the
second step where there is one); otherwise ``ReauthenticationForm`` asks for
the password, and the second step when the admin has a factor, on the
action's confirmation page. Wrong passwords and codes count in the login
backoff, as at the login.
"""
import time

from django import forms
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts import conf
from accounts.admin import second_step
from accounts.audit import record_event
from accounts.limits import backoff
from accounts.limits.net import client_info
from accounts.models import SecurityEventKind

AUTH_TIME = "gatehouse_admin_auth_time"


@receiver(user_logged_in, dispatch_uid="gatehouse-admin-auth-time")
def _note_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[AUTH_TIME] = time.time()


def is_recent(request) -> bool:
    """Whether this admin session authenticated within ``REAUTH_MAX_AGE``."""
    moment = request.session.get(AUTH_TIME)
    return isinstance(moment, (int, float)) and 0 <= time.time() - moment <= conf.reauth_max_age()


class ReauthenticationForm(forms.Form):
    """The acting admin's password, and a code when they have a second factor."""

    password = forms.CharField(
        label="Your password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label="Code from your authenticator app, or a recovery code", required=False, max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )

    def __init__(self, request, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.admin = request.user
        if not second_step.required(self.admin):
            del self.fields["code"]
        else:
            self.fields["code"].required = True

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        client = client_info(self.request)
        username = self.admin.get_username()
        attempt = backoff.check(username=username, ip_address=client.ip_address)
        if attempt.wait:
            raise forms.ValidationError(f"Too many attempts. Try again in {attempt.wait} seconds.")
        method = None
        if self.admin.check_password(cleaned["password"]):
            method = "pwd"
            if "code" in self.fields:
                verified = second_step.verify(
                    user=self.admin, code=cleaned["code"], binding="", client=client
                )
                method = verified.name if verified is not None else None
        if method is None:
            backoff.record_failure(username=username, ip_address=client.ip_address)
            record_event(SecurityEventKind.LOGIN_FAILED, user=self.admin, reason="admin_reauthentication",
                         client=client)
            raise forms.ValidationError("That password or code is not right.")
        backoff.record_success(attempt)
        self.request.session[AUTH_TIME] = time.time()
        record_event(SecurityEventKind.REAUTHENTICATED, user=self.admin, reason=f"admin:{method}", client=client)
        return cleaned
