"""Every error under /api/ as JSON ``{"detail", "code"}``."""
import logging

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


def error_body(detail, code, **extra):
    return {"detail": str(detail), "code": str(code), **extra}


def json_exception_handler(exc, context):
    """Every error a DRF view raises, as the JSON error body, whatever the request asked for.

    Errors are always JSON: a ``?format=`` or ``Accept`` the route does not
    know, or a route whose success is another type (the schema's YAML),
    would otherwise pick the renderer of the error too.
    """
    _answer_in_json(context.get("request"))
    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.error("Database unavailable while handling %s: %s", context["request"].path, exc)
        return Response(
            error_body(_("The service is temporarily unavailable. Try again shortly."), "service_unavailable"),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    # Django's own exceptions carry no ``detail``: DRF's handler converts them
    # for its answer only, so convert them here first (a ``?format=`` DRF does
    # not know raises Django's Http404).
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        response.data = _validation_body(exc)
    else:
        response.data = _error_body_from_detail(exc.detail, exc.get_codes())
        # What the client needs to act on the refusal (sso_required's provider, say), beside detail and code.
        response.data.update(getattr(exc, "extra_body", None) or {})
    return response


def _answer_in_json(request):
    # DRF renders the answer with the request's negotiated renderer (set
    # unless the negotiation itself failed, when DRF negotiates again).
    if request is not None:
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type


def _validation_body(exc):
    if isinstance(exc.detail, dict):
        fields = {name: _messages(value) for name, value in exc.detail.items()}
        first = next((messages[0] for messages in fields.values() if messages), _("Invalid input."))
        return error_body(first, "invalid", fields=fields)
    messages = _messages(exc.detail)
    return error_body(messages[0] if messages else _("Invalid input."), "invalid")


def _messages(value):
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    if isinstance(value, dict):
        return [str(item) for items in value.values() for item in _messages(items)]
    return [str(value)]


def _error_body_from_detail(detail, codes):
    # simplejwt puts a dict {"detail", "code", "messages"} in its exceptions.
    if isinstance(detail, dict):
        return error_body(detail.get("detail", _("Request refused.")), detail.get("code", "error"))
    return error_body(detail, codes if isinstance(codes, str) else "error")


API_NOT_FOUND = "api-not-found"  # the URL name of the catch-all under /api/


@csrf_exempt  # it changes nothing, and a CSRF check here would answer Django's HTML page
def json_not_found(request, exception=None):
    """Unknown paths under /api/: JSON 404, naming the route a missing trailing slash meant.

    No slash-appending redirect: a client that follows it may drop the body
    or turn the POST into a GET.
    """
    detail = _("Not found.")
    if not request.path_info.endswith("/") and _is_a_route(request.path_info + "/"):
        detail = _("Not found. API paths end with a slash: %(path)s") % {"path": f"{request.path}/"}
    return JsonResponse(error_body(detail, "not_found"), status=404)


def _is_a_route(path_info):
    try:
        return resolve(path_info).url_name != API_NOT_FOUND
    except Resolver404:
        return False


def json_server_error(request):
    return JsonResponse(error_body(_("Internal server error."), "server_error"), status=500)
