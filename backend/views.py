"""Project-level views: the single-page app's shell and the JWKS."""
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts import conf
from accounts.sessions.jwt_keys import keyring


# The single-page app's routes (frontend/static/app/router.js ROUTES; a test
# keeps the two lists equal). Any other path gets the app with status 404,
# and the app shows its not-found page.
SPA_PATHS = frozenset(
    {
        "/", "/login", "/signup", "/forgot-password", "/reset-password", "/verify-email", "/sessions", "/account",
        "/staff",
    }
)


@require_safe
@never_cache
def spa(request, path=""):
    """Serve index.html for / and every deep link of the app's router; 404 (the same page) for any other path."""
    known = _normalized(request.path) in SPA_PATHS
    return render(
        request, "index.html", {"signup_enabled": conf.signup_enabled()}, status=200 if known else 404
    )


def _normalized(path):
    # As the router's normalizePath: "/sessions/" is "/sessions".
    return path.rstrip("/") or "/"


@require_safe
def jwks(request):
    """Public keys that verify our access tokens (empty with HS256)."""
    response = JsonResponse(keyring().jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response
