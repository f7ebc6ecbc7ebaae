"""HTTP in, lifecycle calls, HTTP out. No business rules live here."""
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import conf, services
from accounts.api.cookies import clear_token_cookies, refresh_cookie, set_token_cookies
from accounts.api.exceptions import error_body
from accounts.api.origin import SameSiteOrigin
from accounts.api.permissions import CanViewUsers
from accounts.api.reauth import RecentAuthentication
from accounts.api.serializers import (
    LoginResponseSerializer,
    LoginSerializer,
    PasswordChangeSerializer,
    ReauthenticateSerializer,
    RegisterSerializer,
    SessionSerializer,
    StaffUserSerializer,
    TokenResponseSerializer,
    UserSerializer,
)
from accounts.limits.net import client_info
from accounts.limits.throttling import LoginIPThrottle, RefreshIPThrottle, RegisterIPThrottle
from accounts.models import RefreshSession, RevocationReason
from accounts.sessions import lifecycle

_BEARER_CHALLENGE = 'Bearer realm="api"'


class NoStoreMixin:
    """API answers carry tokens or personal data: never cache them."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


class CookieRouteView(NoStoreMixin, APIView):
    """Base for the routes that read or set the refresh cookie."""

    authentication_classes = []
    permission_classes = [SameSiteOrigin]

    def get_authenticate_header(self, request):
        return _BEARER_CHALLENGE


class BearerView(NoStoreMixin, APIView):
    """Base for the routes that need a valid access token."""


def _token_body(issued):
    return {"access": issued.access, "token_type": "Bearer", "expires_in": issued.expires_in}


def _token_response(issued, body, status_code=status.HTTP_200_OK):
    response = Response(body, status=status_code)
    set_token_cookies(response, issued)
    return response


class LoginView(CookieRouteView):
    throttle_classes = [LoginIPThrottle]

    @extend_schema(request=LoginSerializer, responses={200: LoginResponseSerializer, 401: OpenApiResponse()})
    def post(self, request):
        credentials = LoginSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        issued = services.log_in(request=request, **credentials.validated_data, client=client_info(request))
        return _token_response(issued, {**_token_body(issued), "user": UserSerializer(issued.session.user).data})


class RefreshView(CookieRouteView):
    throttle_classes = [RefreshIPThrottle]

    @extend_schema(request=None, responses={200: TokenResponseSerializer, 401: OpenApiResponse()})
    def post(self, request):
        try:
            issued = lifecycle.rotate(refresh_token=refresh_cookie(request), client=client_info(request))
        except lifecycle.RefreshRejected:
            response = Response(
                error_body("The refresh token is not valid. Log in again.", "refresh_invalid"),
                status=status.HTTP_401_UNAUTHORIZED,
                headers={"WWW-Authenticate": _BEARER_CHALLENGE},
            )
            clear_token_cookies(response)
            return response
        return _token_response(issued, _token_body(issued))


class LogoutView(CookieRouteView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        lifecycle.end_session_by_refresh_token(refresh_token=refresh_cookie(request), client=client_info(request))
        response = Response(status=status.HTTP_204_NO_CONTENT)
        clear_token_cookies(response)
        return response


class LogoutAllView(BearerView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        lifecycle.revoke_user_sessions(
            user=request.user, reason=RevocationReason.LOGOUT_ALL, client=client_info(request)
        )
        response = Response(status=status.HTTP_204_NO_CONTENT)
        clear_token_cookies(response)
        return response


class MeView(BearerView):
    @extend_schema(responses=UserSerializer)
    def get(self, request):
        return Response(UserSerializer(request.user).data)


class SessionListView(BearerView):
    @extend_schema(responses=SessionSerializer(many=True))
    def get(self, request):
        sessions = RefreshSession.objects.active().filter(user=request.user).order_by("-last_used_at")
        context = {"current_session_id": request.auth.session_id}
        return Response(SessionSerializer(sessions, many=True, context=context).data)


class SessionDetailView(BearerView):
    @extend_schema(responses={204: None, 404: OpenApiResponse()})
    def delete(self, request, session_id):
        session = RefreshSession.objects.active().filter(user=request.user, pk=session_id).first()
        if session is None:
            raise NotFound("No such session.")
        lifecycle.revoke_session(
            session=session, reason=RevocationReason.USER_REVOKED, client=client_info(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReauthenticateView(BearerView):
    throttle_classes = [LoginIPThrottle]

    @extend_schema(request=ReauthenticateSerializer, responses={200: TokenResponseSerializer})
    def post(self, request):
        from accounts.api import passkeys  # it builds on this module

        if passkeys.is_passkey_reauthentication(request):
            return passkeys.reauthenticate(request)
        form = ReauthenticateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        issued = services.reauthenticate_with_password(
            user=request.user, session_id=request.auth.session_id, password=form.validated_data["password"],
            client=client_info(request),
        )
        return Response(_token_body(issued))


class PasswordChangeView(BearerView):
    permission_classes = [IsAuthenticated, RecentAuthentication]

    @extend_schema(request=PasswordChangeSerializer, responses={204: None})
    def post(self, request):
        form = PasswordChangeSerializer(data=request.data, context={"user": request.user})
        form.is_valid(raise_exception=True)
        services.change_password(
            user=request.user,
            current_password=form.validated_data["current_password"],
            new_password=form.validated_data["new_password"],
            current_session_id=request.auth.session_id,
            client=client_info(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class RegisterView(CookieRouteView):
    throttle_classes = [RegisterIPThrottle]

    def initial(self, request, *args, **kwargs):
        if not conf.signup_enabled():
            raise NotFound("Sign-up is disabled.")
        super().initial(request, *args, **kwargs)

    @extend_schema(request=RegisterSerializer, responses={201: UserSerializer})
    def post(self, request):
        form = RegisterSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = services.register_user(**form.validated_data, client=client_info(request))
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class UserPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class StaffUserListView(NoStoreMixin, ListAPIView):
    permission_classes = [CanViewUsers]
    serializer_class = StaffUserSerializer
    pagination_class = UserPagination

    @extend_schema(
        responses={
            200: StaffUserSerializer(many=True),
            401: OpenApiResponse(description="No valid access token."),
            403: OpenApiResponse(description="Not staff with the `accounts.view_user` permission."),
        }
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        now = timezone.now()
        live = Q(refresh_sessions__revoked_at__isnull=True, refresh_sessions__expires_at__gt=now)
        return (
            get_user_model()
            .objects.annotate(active_sessions=Count("refresh_sessions", filter=live))
            .order_by("username")
        )


class HealthView(NoStoreMixin, APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiResponse(description='{"status": "ok"}'), 503: OpenApiResponse()})
    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Response({"status": "ok"})
