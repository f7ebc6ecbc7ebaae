"""Answer health probes before anything reads the Host header; a busy password check outside the API."""
from django.http import HttpResponse

from accounts.api.views import HealthView
from accounts.limits.admission import HashingBusy

HEALTH_PATH = "/api/health/"


class HealthProbeMiddleware:
    """``GET /api/health/`` answers whatever the ``Host``; every other path still goes through ``ALLOWED_HOSTS``.

    A load balancer probes a backend by its IP address, which is not an
    allowed host: Django would answer 400 (and log a traceback) from the
    first middleware that asks for the host (``CommonMiddleware``). The
    middleware above this one read no Host; the health view reads nothing
    from the request, so serving it ahead of that check leaks nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.health = HealthView.as_view()

    def __call__(self, request):
        if request.path_info == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return self.health(request).render()
        return self.get_response(request)


class HashingBusyMiddleware:
    """A page outside the API (the admin's login) refused for want of a password-hashing slot: 503, not 500.

    Under ``/api/`` the JSON error handler answers ``HashingBusy`` itself
    (``accounts.api.exceptions``); a Django form checking a password (the
    admin's) would let it through to the server-error page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, HashingBusy):
            return None
        response = HttpResponse(
            f"{exception.detail}\n", status=exception.status_code, content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(exception.wait)
        return response
