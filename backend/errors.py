"""Error pages: JSON under /api/, Django's defaults elsewhere."""
from django.views import defaults

from accounts.exceptions import json_not_found, json_server_error


def _is_api(request):
    return request.path.startswith("/api/")


def not_found(request, exception):
    if _is_api(request):
        return json_not_found(request, exception)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return json_server_error(request)
    return defaults.server_error(request)
