"""The Django admin's login: the API's second step, and slowed exactly like the API login.

**Two steps.** A right password of an account with a second factor opens no
admin session. It leaves a *pending sign-in* in the (still anonymous) Django
session, which lives server-side (``accounts.admin.session_store``) under a
fresh key: the user, the password it was checked against, this client (a
keyed digest of its network and user agent, as for the API's ``mfa_token``),
a random binding for a passkey's challenge, and an expiry ``MFA_TOKEN_TTL``
(5 minutes) ahead. ``/admin/login/second-step/`` then asks for an
authenticator-app code, a recovery code or a passkey, checked by the same
functions as ``POST /api/auth/login/mfa/`` (``accounts.admin.second_step``),
and logs in only then; the pending sign-in is removed before the session is
opened (and Django gives the session a new key at login), so it works once.
Another browser, an expired one, or one whose password has changed since
gets "sign in again".

**Limits.** The same per-IP rate (``LoginIPThrottle``, scope ``login_ip``)
and the same exponential backoff per account and IP
(``accounts.limits.backoff``), counted in the same places: guesses through
``/admin/login/`` and ``/api/auth/login/`` add up, so the admin is no second
door with its own budget. Wrong codes count as wrong passwords do, and a
right password alone clears nothing (only a completed login does). Failures
and successes are recorded as security events, as for the API.
"""
import json
import math
import secrets
import time

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import LoginView
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from accounts.admin import second_step
from accounts.audit import record_event
from accounts.devices import detection
from accounts.federation import domains
from accounts.limits import backoff
from accounts.limits.net import client_info
from accounts.limits.throttling import LoginIPThrottle
from accounts.models import SecurityEventKind
from accounts.sessions import tokens

PENDING = "gatehouse_admin_pending_sign_in"


@sensitive_post_parameters("password")
@never_cache
def admin_login(request, extra_context=None):
    if request.method != "POST":
        return admin.site.login(request, extra_context)
    username = request.POST.get("username", "")
    client = client_info(request)
    attempt = backoff.check(username=username, ip_address=client.ip_address) if username else None
    wait = _wait(request, attempt)
    if wait:
        return _too_many_attempts(request, wait)
    request.gatehouse_outcome = None
    response = _password_step(request, extra_context)
    outcome = request.gatehouse_outcome
    if outcome == "logged_in":
        _signed_in(user=request.user, client=client, attempt=attempt)
    elif outcome is None and username:
        backoff.record_failure(username=username, ip_address=client.ip_address)
        record_event(SecurityEventKind.LOGIN_FAILED, username=username, client=client)
    return response


def _signed_in(*, user, client, attempt, reason=""):
    """What every sign-in does once it succeeded: the backoff cleared, the event, the new-device notice."""
    if attempt is not None:
        backoff.record_success(attempt)
    record_event(SecurityEventKind.LOGIN_SUCCEEDED, user=user, reason=reason, client=client)
    detection.note_login(user=user, client=client)


@sensitive_post_parameters("code", "credential")
@never_cache
@csrf_protect
def admin_second_step(request):
    """The second page of an admin login: a code, a recovery code or a passkey, then the session."""
    client = client_info(request)
    pending = _pending(request, client)
    if pending is None:
        request.session.pop(PENDING, None)
        messages.error(request, _("This sign-in has expired or was already completed. Sign in again with your password."))
        return HttpResponseRedirect(reverse("admin:login"))
    user, state = pending
    form = SecondStepForm(request.POST or None)
    if request.method == "POST":
        attempt = backoff.check(username=user.get_username(), ip_address=client.ip_address)
        wait = _wait(request, attempt)
        if wait:
            return _too_many_attempts(request, wait)
        method = None
        if form.is_valid():
            method = second_step.verify(
                user=user, code=form.cleaned_data["code"], credential=form.cleaned_data["credential"],
                binding=state["binding"], client=client,
            )
        if method is not None:
            del request.session[PENDING]  # single use: gone before the session opens
            auth_login(request, user, backend=state["backend"])
            _signed_in(user=user, client=client, attempt=attempt, reason=method.name)
            return HttpResponseRedirect(state["next"])
        backoff.record_failure(username=user.get_username(), ip_address=client.ip_address)
        record_event(SecurityEventKind.LOGIN_FAILED, user=user, reason="code_invalid", client=client)
        form.add_error(None, "That code or passkey was not accepted. Try again, or use a recovery code.")
        form.data = form.data.copy()
        form.data["code"] = ""  # a spent or wrong code is not typed over
    context = {
        **admin.site.each_context(request),
        "title": _("Two-step sign-in"),
        "form": form,
        "username": user.get_username(),
        "offers_code": bool({"totp", "recovery_code"} & set(second_step.method_names(user))),
        "passkey_options": (
            second_step.passkey_options(user=user, binding=state["binding"])
            if second_step.passkeys_offered(user) else None
        ),
        "expires_in": max(0, int(state["expires"] - time.time())),
    }
    request.current_app = admin.site.name
    return render(request, "admin/accounts/second_step.html", context)


class SecondStepForm(forms.Form):
    """A code typed in, or the JSON of a passkey's answer (filled in by the page's script)."""

    code = forms.CharField(
        label=gettext_lazy("Code"), required=False, max_length=64, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text",
                                      "spellcheck": "false", "autocapitalize": "off"}),
        help_text=gettext_lazy("Six digits from your authenticator app, or one of your recovery codes."),
    )
    credential = forms.CharField(required=False, max_length=16_000, widget=forms.HiddenInput)

    def clean_credential(self):
        text = self.cleaned_data["credential"]
        if not text:
            return None
        try:
            value = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("The passkey's answer could not be read.")) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("The passkey's answer could not be read."))
        return value

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("code") and cleaned.get("credential") is None:
            raise forms.ValidationError(_("Type a code, or use your passkey."))
        return cleaned


class _PasswordStep(LoginView):
    """Django's admin login view, but a right password of an account with a factor only starts the second step."""

    def form_valid(self, form):
        user = form.get_user()
        owner = domains.required_provider(user.email)
        if owner is not None:
            # The admin has no provider sign-in: an account its company's provider signs in never enters it by
            # password (that would outlive the company's offboarding). Said only after the right password.
            record_event(SecurityEventKind.LOGIN_FAILED, user=user, reason="sso_required",
                         client=client_info(self.request))
            form.add_error(None, _(
                "Your organisation signs you in with its own provider, and the admin cannot use it: sign in to the "
                "admin with an administrator account whose address is outside your organisation's domains."
            ))
            return self.form_invalid(form)
        if not second_step.required(user):
            self.request.gatehouse_outcome = "logged_in"
            return super().form_valid(form)  # logs in; the admin's auth time is noted by accounts.admin.reauth
        self.request.gatehouse_outcome = "second_step"
        _begin(self.request, user=user, next_url=self.get_success_url())
        return HttpResponseRedirect(reverse("admin-second-step"))


def _password_step(request, extra_context):
    """``admin.site.login`` for a POST, with ``_PasswordStep`` as its view."""
    context = {
        **admin.site.each_context(request),
        "title": _("Log in"),
        "subtitle": None,
        "app_path": request.get_full_path(),
        "username": request.user.get_username(),
    }
    if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
        context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=admin.site.name)
    context.update(extra_context or {})
    request.current_app = admin.site.name
    return _PasswordStep.as_view(
        extra_context=context,
        authentication_form=admin.site.login_form or AdminAuthenticationForm,
        template_name=admin.site.login_template or "admin/login.html",
    )(request)


def _begin(request, *, user, next_url):
    """Keep the pending sign-in server-side, under a session key no earlier cookie named."""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = reverse("admin:index")
    request.session.cycle_key()
    request.session[PENDING] = {
        "user": user.pk,
        "backend": user.backend,
        "password": user.get_session_auth_hash(),
        "client": tokens.client_digest(client_info(request)),
        "binding": secrets.token_urlsafe(32),
        "expires": time.time() + second_step.ttl_seconds(),
        "next": next_url,
    }


def _pending(request, client):
    """(user, state) of this browser's live pending sign-in; None when it is missing, expired or outdated."""
    state = request.session.get(PENDING)
    if not isinstance(state, dict) or state.get("expires", 0) <= time.time():
        return None
    user = get_user_model()._default_manager.filter(pk=state["user"]).first()
    if user is None or not (user.is_active and user.is_staff and second_step.required(user)):
        return None
    same_password = constant_time_compare(state["password"], user.get_session_auth_hash())
    if not (same_password and tokens.is_same_client(state["client"], client)):
        return None
    return user, state


def _wait(request, attempt):
    throttle = LoginIPThrottle()
    wait = 0 if throttle.allow_request(request, None) else math.ceil(throttle.wait() or 1)
    if attempt is not None:
        wait = max(wait, attempt.wait)
    return max(1, wait) if wait else 0


def _too_many_attempts(request, wait):
    context = {**admin.site.each_context(request), "title": _("Too many attempts"), "retry_after": wait}
    response = render(request, "admin/accounts/login_throttled.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response
