"""Project-level views: the single-page app's shell, the JWKS and the favicon."""
import json

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts import conf
from accounts.sessions.jwt_keys import JWKS_MAX_AGE, keyring

_LOGO = settings.BASE_DIR / "frontend" / "static" / "app" / "logo.svg"


# The single-page app's routes (frontend/static/app/router.js ROUTES; a test
# keeps the two lists equal). Any other path gets the app with status 404,
# and the app shows its not-found page.
SPA_PATHS = frozenset(
    {
        "/", "/login", "/login/code", "/signup", "/forgot-password", "/reset-password", "/verify-email", "/sessions", "/account",
        "/staff", "/authorize", "/authorize/silent", "/end-session",
    }
)


def app_pages():
    """Your own pages of the browser app: ``GATEHOUSE_APP_PAGES`` maps a path to its module under static files.

    See docs/building-on-gatehouse.md and frontend/static/app/extensions.js.
    """
    pages = getattr(settings, "GATEHOUSE_APP_PAGES", None) or {}
    return [{"path": _normalized(path), "module": static(module)} for path, module in pages.items()]


@require_safe
@never_cache
def spa(request, path=""):
    """Serve index.html for / and every deep link of the app's router; 404 (the same page) for any other path."""
    pages = app_pages()
    known = _normalized(request.path) in SPA_PATHS | {page["path"] for page in pages}
    context = {"signup_enabled": conf.signup_enabled(), "app_pages": json.dumps(pages)}  # escaped in the attribute
    return render(request, "index.html", context, status=200 if known else 404)


def _normalized(path):
    # As the router's normalizePath: "/sessions/" is "/sessions".
    return path.rstrip("/") or "/"


@require_http_methods(["GET", "HEAD", "OPTIONS"])
def jwks(request):
    """Public keys that verify our access tokens (empty with HS256), readable by any origin.

    Public data: ``Access-Control-Allow-Origin: *`` and never credentials, so
    a browser app elsewhere can fetch it and no cookie ever rides along.
    django-cors-headers leaves this path alone (``CORS_URLS_REGEX`` is /api/).
    """
    if request.method == "OPTIONS":  # a CORS preflight (e.g. for If-None-Match)
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Methods"] = "GET, HEAD"
        response["Access-Control-Allow-Headers"] = request.headers.get("Access-Control-Request-Headers", "")[:200]
        response["Access-Control-Max-Age"] = "86400"
    else:
        response = JsonResponse(keyring().jwks())
        response["Cache-Control"] = f"public, max-age={JWKS_MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def favicon(request):
    """``/favicon.ico``, which browsers ask for on every page that names no icon (the admin's): the app's logo."""
    response = HttpResponse(_LOGO.read_bytes(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response
