"""Refusing cross-site POSTs to the cookie routes (login, refresh, logout).

The refresh cookie is ``SameSite=Strict`` (or ``Lax``) already; this check is
the second lock, and the one that tells a sibling origin of the same site,
which SameSite lets through, from one listed in ``CORS_ALLOWED_ORIGINS``. The
comparison is exact: a lookalike (``https://app.example.com.evil``, another
port, ``null``) is refused. A browser always sends ``Origin`` on a
cross-origin POST, so a request with no ``Origin`` is a non-browser client
and is judged by its cookie alone.
"""
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission


class OriginNotAllowed(PermissionDenied):
    default_detail = _("Cross-site requests to this route are not allowed.")
    default_code = "origin_not_allowed"


def origin_allowed(request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        # Whatever the case or padding a client or proxy gives it, it is the same refusal.
        return request.headers.get("Sec-Fetch-Site", "").strip().lower() != "cross-site"
    own_origin = f"{request.scheme}://{request.get_host()}"
    return origin == own_origin or origin in settings.CORS_ALLOWED_ORIGINS


class SameSiteOrigin(BasePermission):
    def has_permission(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS") or origin_allowed(request):
            return True
        raise OriginNotAllowed()
