"""Gatehouse's URLs plus the bench-only routes under /api/bench/.

- ``/api/bench/stock/``: stock simplejwt's login, refresh and an authenticated
  ``me`` view (the same serializer as ``/api/auth/me/``).
- ``/api/bench/ceiling/``: ``/api/auth/me/`` without authentication, the ceiling
  an authenticated GET is measured against. Same base classes, headers,
  serializer and middleware; the user it serializes is built once per process
  in memory, so the difference between the two is the cost of authentication
  (JWT check and the one session + user query) and nothing else.

Each route sits in Gatehouse's own ``api/`` URL list right after its
Gatehouse counterpart (the ceiling and stock ``me`` after ``auth/me/``), so it
resolves through the same patterns and one or two more: what URL resolution
adds to a comparison, a microsecond or two, counts in Gatehouse's favour.
"""
from django.contrib.auth import get_user_model
from django.urls import include, path
from django.utils import timezone
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.tokens import AccessToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts.api import urls as accounts_urls
from accounts.api.serializers import UserSerializer
from accounts.api.views import BearerView, NoStoreMixin
from backend import urls as backend_urls

_CEILING_USER = get_user_model()(
    id=1, username="ceiling", email="ceiling@example.com", is_staff=False, date_joined=timezone.now()
)


class CeilingView(NoStoreMixin, APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        return Response(UserSerializer(_CEILING_USER).data)


class StockJWTAuthentication(JWTAuthentication):
    """simplejwt's ``JWTAuthentication`` with its default token class.

    Gatehouse's settings point ``AUTH_TOKEN_CLASSES`` at its own keyring-backed
    token; stock simplejwt verifies its plain ``AccessToken``.
    """

    def get_validated_token(self, raw_token):
        try:
            return AccessToken(raw_token)
        except TokenError as error:
            raise InvalidToken({"detail": str(error)}) from None


class StockMeView(BearerView):
    authentication_classes = [StockJWTAuthentication]

    def get(self, request):
        return Response(UserSerializer(request.user).data)


_stock_login = path("bench/stock/login/", TokenObtainPairView.as_view(authentication_classes=[]))
_stock_refresh = path("bench/stock/refresh/", TokenRefreshView.as_view(authentication_classes=[]))
_stock_me = path("bench/stock/me/", StockMeView.as_view())
_ceiling = path("bench/ceiling/", CeilingView.as_view())
_after = {"auth/login/": [_stock_login], "auth/refresh/": [_stock_refresh], "auth/me/": [_ceiling, _stock_me]}

# Gatehouse's own patterns, in their order, the bench routes inside the api/
# include (see the docstring).
_api = []
for _pattern in accounts_urls.urlpatterns:
    _api += [_pattern, *_after.get(str(_pattern.pattern), [])]
urlpatterns = [
    path("api/", include((_api, accounts_urls.app_name))) if str(pattern.pattern) == "api/" else pattern
    for pattern in backend_urls.urlpatterns
]
handler400, handler403 = backend_urls.handler400, backend_urls.handler403
handler404, handler500 = backend_urls.handler404, backend_urls.handler500
