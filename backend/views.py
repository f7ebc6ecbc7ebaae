"""Project-level views: the single-page app's shell."""
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts import conf


@require_safe
@never_cache
def spa(request, path=""):
    """Serve index.html for / and every deep link; the SPA's router takes over."""
    return render(request, "index.html", {"signup_enabled": conf.signup_enabled()})
