"""Error pages: JSON under /api/, Django's defaults elsewhere."""
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import csrf, defaults

from accounts.api.exceptions import error_body, json_not_found, json_server_error


def _is_api(request):
    return request.path_info == "/api" or request.path_info.startswith("/api/")


def bad_request(request, exception):
    """Django's own 400s (a disallowed Host, too many fields) before any view ran."""
    if _is_api(request):
        return JsonResponse(error_body(_("Bad request."), "bad_request"), status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _is_api(request):
        return JsonResponse(error_body(_("Permission denied."), "permission_denied"), status=403)
    return defaults.permission_denied(request, exception)


def not_found(request, exception):
    if _is_api(request):
        return json_not_found(request, exception)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return json_server_error(request)
    return defaults.server_error(request)


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: the admin's forms keep Django's page.

    The API's own views are exempt (they take no session cookie and check
    the Origin themselves), so under /api/ this is a safety net; the reason
    is logged by Django, not echoed.
    """
    if _is_api(request):
        return JsonResponse(error_body(_("CSRF verification failed."), "csrf_failed"), status=403)
    return csrf.csrf_failure(request, reason)
