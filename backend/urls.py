from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api.exceptions import API_NOT_FOUND, json_not_found
from accounts.oidc_provider import views as oidc_views
from backend.views import favicon, jwks, spa

urlpatterns = [
    # Before admin.site.urls: the admin login (two steps, slowed like the API login).
    path("admin/", include("accounts.admin.urls")),
    path("admin/", admin.site.urls),
    path(".well-known/jwks.json", jwks, name="jwks"),
    path(".well-known/openid-configuration", oidc_views.discovery, name="openid-configuration"),
    # Gatehouse as an OpenID Provider: OAuth's own error shapes here, not the /api/ JSON.
    path("oauth/", include("accounts.oidc_provider.urls")),
    path("favicon.ico", favicon, name="favicon"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI sets inline styles; only its page relaxes style-src (never script-src).
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="docs",
    ),
    path("api/", include("accounts.api.urls")),
    # Unknown /api/ paths (and /api itself) answer JSON 404, never a slash-appending redirect.
    re_path(r"^api(?:/|$)", json_not_found, name=API_NOT_FOUND),
    re_path(r"^(?!api/|admin/|static/|oauth/|\.well-known/)(?P<path>.*)$", spa, name="spa"),
]

handler400 = "backend.errors.bad_request"
handler403 = "backend.errors.permission_denied"
handler404 = "backend.errors.not_found"
handler500 = "backend.errors.server_error"
