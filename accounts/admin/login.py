"""The Django admin's login, slowed exactly like the API login.

The same per-IP rate (``LoginIPThrottle``, scope ``login_ip``) and the same
exponential backoff per account and IP (``accounts.limits.backoff``), counted in the
same places: guesses through ``/admin/login/`` and ``/api/auth/login/`` add
up, so the admin is no second door with its own budget. Failures and
successes are recorded as security events, as for the API.
"""
import math

from django.contrib import admin
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from accounts.audit import record_event
from accounts.limits import backoff
from accounts.limits.net import client_info
from accounts.limits.throttling import LoginIPThrottle
from accounts.models import SecurityEventKind


@never_cache
def admin_login(request, extra_context=None):
    if request.method != "POST":
        return admin.site.login(request, extra_context)
    username = request.POST.get("username", "")
    client = client_info(request)
    throttle = LoginIPThrottle()
    wait = 0 if throttle.allow_request(request, None) else math.ceil(throttle.wait() or 1)
    attempt = backoff.check(username=username, ip_address=client.ip_address) if username else None
    if attempt is not None:
        wait = max(wait, attempt.wait)
    if wait:
        return _too_many_attempts(request, max(1, wait))
    response = admin.site.login(request, extra_context)
    # The login view redirects only when the credentials were good (a staff
    # member already logged in who posts wrong ones gets the form again).
    if response.status_code == 302 and request.user.is_authenticated:
        if attempt is not None:
            backoff.record_success(attempt)
        record_event(SecurityEventKind.LOGIN_SUCCEEDED, user=request.user, client=client)
    elif username:
        backoff.record_failure(username=username, ip_address=client.ip_address)
        record_event(SecurityEventKind.LOGIN_FAILED, username=username, client=client)
    return response


def _too_many_attempts(request, wait):
    context = {**admin.site.each_context(request), "title": "Too many attempts", "retry_after": wait}
    response = render(request, "admin/accounts/login_throttled.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response
