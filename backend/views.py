"""Project-level views: the single-page app's shell and the JWKS."""
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts import conf
from accounts.sessions.jwt_keys import keyring


@require_safe
@never_cache
def spa(request, path=""):
    """Serve index.html for / and every deep link; the SPA's router takes over."""
    return render(request, "index.html", {"signup_enabled": conf.signup_enabled()})


@require_safe
def jwks(request):
    """Public keys that verify our access tokens (empty with HS256)."""
    response = JsonResponse(keyring().jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response
