"""OpenAPI description of Gatehouse's bearer authentication (drf-spectacular)."""
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class SessionBoundJWTScheme(SimpleJWTScheme):
    target_class = "accounts.sessions.authentication.SessionBoundJWTAuthentication"
    name = "bearerAuth"
