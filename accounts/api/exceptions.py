"""Every error under /api/ as JSON ``{"detail", "code"}``."""
import logging

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


def error_body(detail, code, **extra):
    return {"detail": str(detail), "code": str(code), **extra}


def json_exception_handler(exc, context):
    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.error("Database unavailable while handling %s: %s", context["request"].path, exc)
        return Response(
            error_body("The service is temporarily unavailable. Try again shortly.", "service_unavailable"),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        response.data = _validation_body(exc)
    else:
        response.data = _error_body_from_detail(exc.detail, exc.get_codes())
    return response


def _validation_body(exc):
    if isinstance(exc.detail, dict):
        fields = {name: _messages(value) for name, value in exc.detail.items()}
        first = next((messages[0] for messages in fields.values() if messages), "Invalid input.")
        return error_body(first, "invalid", fields=fields)
    messages = _messages(exc.detail)
    return error_body(messages[0] if messages else "Invalid input.", "invalid")


def _messages(value):
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    if isinstance(value, dict):
        return [str(item) for items in value.values() for item in _messages(items)]
    return [str(value)]


def _error_body_from_detail(detail, codes):
    # simplejwt puts a dict {"detail", "code", "messages"} in its exceptions.
    if isinstance(detail, dict):
        return error_body(detail.get("detail", "Request refused."), detail.get("code", "error"))
    return error_body(detail, codes if isinstance(codes, str) else "error")


@csrf_exempt  # also the catch-all view for unknown /api/ paths: a write there is a 404, not a CSRF page
def json_not_found(request, exception=None):
    return JsonResponse(error_body("Not found.", "not_found"), status=404)


def json_server_error(request):
    return JsonResponse(error_body("Internal server error.", "server_error"), status=500)
