"""Answer health probes before anything reads the Host header."""
from accounts.api.views import HealthView

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
