"""HTTP in, lifecycle calls, HTTP out. No business rules live here."""
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed, NotFound
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import conf, services
from accounts.api import passkeys, schema
from accounts.api.base import (  # noqa: F401  (the base views, importable from here too)
    BEARER_CHALLENGE,
    BearerView,
    CookieRouteView,
    NoStoreMixin,
    login_response,
    second_step_response,
    sign_in_response,
    token_body,
    token_response,
)
from accounts.api.cookies import clear_token_cookies, refresh_cookie, trusted_device_cookie
from accounts.api.exceptions import error_body
from accounts.api.parsers import BoundedJSONParser
from accounts.api.permissions import CanViewUsers
from accounts.api.reauth import RecentAuthentication
from accounts.api.serializers import (
    IntrospectionResponseSerializer,
    IntrospectionSerializer,
    LoginResponseSerializer,
    LoginSerializer,
    PasswordChangeSerializer,
    ReauthenticateSerializer,
    RegisterResponseSerializer,
    RegisterSerializer,
    SecondStepRequiredSerializer,
    SessionSerializer,
    StaffUserSerializer,
    TokenResponseSerializer,
    UserSerializer,
)
from accounts.limits.net import client_info
from accounts.limits.throttling import (
    IntrospectIPThrottle,
    LoginIPThrottle,
    RefreshIPThrottle,
    RegisterIPThrottle,
)
from accounts.models import RefreshSession, RevocationReason
from accounts.recovery import addresses
from accounts.personal_tokens import scopes as token_scopes
from accounts.sessions import introspection, lifecycle

_BEARER_CHALLENGE = BEARER_CHALLENGE


class LoginView(CookieRouteView):
    throttle_classes = [LoginIPThrottle]

    @schema.operation(
        summary="Log in",
        description="Check a username and password and open a session on this device: the answer carries a "
        "short-lived access token (send it as `Authorization: Bearer <access>`) and sets the refresh cookie. "
        "With `remember` false the cookie ends with the browser and the session lasts at most "
        "`REFRESH_TOKEN_SHORT_TTL`. Unknown users, wrong passwords and inactive users get the same 401; "
        "repeated failures back off exponentially (429). An account with a second factor answers 202 with an "
        "`mfa_token` instead, for `POST /api/auth/login/mfa/` (no token, no cookie yet), unless the browser "
        "sends the `trusted_device` cookie that account's second step set (`trust_device`).",
        request=LoginSerializer,
        responses={200: LoginResponseSerializer, 202: SecondStepRequiredSerializer},
        errors={
            **schema.BODY_ERRORS,
            401: "Wrong username or password, or an inactive user (`invalid_credentials`).",
            403: "A cross-site request (`origin_not_allowed`), or, with `SIGNUP_EMAIL_VERIFICATION=mandatory`, an "
            "account whose address is not verified yet (`email_unverified`, with `email`; only after the password "
            "was right).",
            **schema.THROTTLED, **schema.PASSWORD_CHECK,
        },
        auth=schema.PUBLIC,
        sets_cookie=[200],
    )
    def post(self, request):
        credentials = LoginSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        return sign_in_response(
            lambda: services.log_in(
                request=request, **credentials.validated_data, client=client_info(request),
                trusted_device=trusted_device_cookie(request),
            )
        )


class RefreshView(CookieRouteView):
    throttle_classes = [RefreshIPThrottle]

    @schema.operation(
        summary="Get a new access token",
        description="Exchange the refresh cookie for a new access token and the next refresh token (the cookie "
        "rotates on every use; no body is sent). The token just replaced, presented again within "
        "`REFRESH_TOKEN_GRACE` seconds by the same client, gets the current one again; any other reuse of a "
        "replaced token ends the whole session.",
        responses={200: TokenResponseSerializer},
        errors={
            401: "No refresh cookie, or one that is unknown, expired, revoked or reused (`refresh_invalid`); "
            "the cookie is cleared.",
            **schema.ORIGIN_REFUSED, **schema.THROTTLED, **schema.DATABASE,
        },
        auth=schema.REFRESH_COOKIE,
        sets_cookie=[200, 401],
    )
    def post(self, request):
        try:
            issued = lifecycle.rotate(refresh_token=refresh_cookie(request), client=client_info(request))
        except lifecycle.RefreshRejected:
            response = Response(
                error_body(_("The refresh token is not valid. Log in again."), "refresh_invalid"),
                status=status.HTTP_401_UNAUTHORIZED,
                headers={"WWW-Authenticate": _BEARER_CHALLENGE},
            )
            clear_token_cookies(response)
            return response
        return token_response(issued, token_body(issued))


class LogoutView(CookieRouteView):
    @schema.operation(
        summary="Log out",
        description="End the session the refresh cookie belongs to, if any, and clear the cookie. Its access "
        "tokens are refused from the next request on. Answers 204 with or without a valid cookie.",
        responses={204: None},
        errors={**schema.ORIGIN_REFUSED, **schema.DATABASE},
        auth=schema.REFRESH_COOKIE,
        sets_cookie=[204],
    )
    def post(self, request):
        lifecycle.end_session_by_refresh_token(refresh_token=refresh_cookie(request), client=client_info(request))
        response = Response(status=status.HTTP_204_NO_CONTENT)
        clear_token_cookies(response)
        return response


class LogoutAllView(BearerView):
    open_before_enrolment = True  # MFA_REQUIRED: a session held to enrolment may still end itself

    @schema.operation(
        summary="Log out everywhere",
        description="End every session of the caller, this one included, and clear the refresh cookie.",
        responses={204: None},
        errors={**schema.BEARER_REFUSED, **schema.DATABASE},
        sets_cookie=[204],
    )
    def post(self, request):
        lifecycle.revoke_user_sessions(
            user=request.user, reason=RevocationReason.LOGOUT_ALL, client=client_info(request)
        )
        response = Response(status=status.HTTP_204_NO_CONTENT)
        clear_token_cookies(response)
        return response


class MeView(BearerView):
    open_before_enrolment = True  # MFA_REQUIRED: the app reads who is signed in, and whether they must enrol

    token_scope = token_scopes.PROFILE_READ  # a data route: scripts read it with a personal access token

    @schema.operation(
        summary="Who am I",
        description="The user the access token belongs to.",
        responses={200: UserSerializer},
        errors={
            **schema.BEARER_REFUSED,
            403: "A personal token without the `profile:read` scope (`insufficient_scope`).",
            **schema.DATABASE,
        },
    )
    def get(self, request):
        return Response(UserSerializer(request.user).data)


class SessionListView(BearerView):
    @schema.operation(
        summary="List my sessions",
        description="The caller's active sessions (one per login on a device), most recently used first; "
        "`current` marks the one the access token belongs to.",
        responses={200: SessionSerializer(many=True)},
        errors={**schema.BEARER_REFUSED, **schema.DATABASE},
    )
    def get(self, request):
        sessions = RefreshSession.objects.active().filter(user=request.user).order_by("-last_used_at")
        context = {"current_session_id": request.auth.session_id}
        return Response(SessionSerializer(sessions, many=True, context=context).data)


class SessionDetailView(BearerView):
    @schema.operation(
        summary="Revoke one of my sessions",
        description="End one of the caller's active sessions (it may be the current one): its refresh token "
        "stops working and its access tokens are refused at once.",
        responses={204: None},
        errors={
            **schema.BEARER_REFUSED,
            404: "No active session of the caller has this id (`not_found`).",
            **schema.DATABASE,
        },
    )
    def delete(self, request, session_id):
        session = RefreshSession.objects.active().filter(user=request.user, pk=session_id).first()
        if session is None:
            raise NotFound(_("No such session."))
        lifecycle.revoke_session(
            session=session, reason=RevocationReason.USER_REVOKED, client=client_info(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReauthenticateView(BearerView):
    open_before_enrolment = True  # MFA_REQUIRED: enrolling the first factor needs a recent password

    throttle_classes = [LoginIPThrottle]

    @schema.operation(
        summary="Confirm it is me again",
        description="Re-authenticate this session with the password, or with a code of its second factor "
        "(`{\"code\"}`: TOTP or a recovery code): the answer's access token carries `auth_time` = now, so the "
        "routes that need a recent authentication accept it. Only this session is renewed. A wrong password "
        "is a 400 on `password`, a wrong code a 400 `code_invalid` (`code_used` for a code of the app already used); both count in the same backoff as failed "
        "logins (429).",
        request=ReauthenticateSerializer,
        responses={200: TokenResponseSerializer},
        errors={
            **schema.BODY_ERRORS, **schema.BEARER_REFUSED, **schema.THROTTLED, **schema.PASSWORD_CHECK,
            403: "A password from an account whose domain a provider requires (`sso_required`, with `provider`): "
            "confirm through that provider (`POST /api/auth/federation/<slug>/start/`, intent `reauth`) or "
            "with a second factor.",
        },
    )
    def post(self, request):
        if passkeys.is_passkey_reauthentication(request):
            return passkeys.reauthenticate(request)
        form = ReauthenticateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        proof = form.validated_data
        context = {"user": request.user, "session_id": request.auth.session_id, "client": client_info(request)}
        if "code" in proof:
            issued = services.reauthenticate_with_code(code=proof["code"], **context)
        else:
            issued = services.reauthenticate_with_password(password=proof["password"], **context)
        return Response(token_body(issued))


class PasswordChangeView(BearerView):
    permission_classes = [IsAuthenticated, RecentAuthentication]

    @schema.operation(
        summary="Change my password",
        description="Check the current password and set the new one; every other session of the caller ends, "
        "this one goes on. A wrong current password is a 400 on `current_password` and counts in the same "
        "backoff as failed logins (429). Needs a recent authentication (403 `reauthentication_required`).",
        request=PasswordChangeSerializer,
        responses={204: None},
        errors={
            **schema.BODY_ERRORS, **schema.BEARER_REFUSED, **schema.REAUTHENTICATION, **schema.THROTTLED,
            **schema.PASSWORD_CHECK,
        },
    )
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
            raise NotFound(_("Sign-up is disabled."))
        super().initial(request, *args, **kwargs)

    @schema.operation(
        summary="Sign up",
        description="Create a user (usernames are unique by their canonical form, email addresses "
        "case-insensitively). It does not log in: call login next.",
        request=RegisterSerializer,
        responses={201: RegisterResponseSerializer},
        errors={
            **schema.BODY_ERRORS,
            403: f"{schema.ORIGIN_REFUSED[403]} Or an address at a domain a provider requires (`sso_required`, "
            "with `provider`): sign up through that provider.",
            404: "Sign-up is disabled on this server (`SIGNUP_ENABLED` off; `not_found`).",
            **schema.THROTTLED, **schema.PASSWORD_CHECK,
        },
        auth=schema.PUBLIC,
    )
    def post(self, request):
        form = RegisterSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = services.register_user(**form.validated_data, client=client_info(request))
        # What sign-up's send_verification decided: the app says "check your mail" only when one went out.
        sent = conf.signup_email_verification() != "none" and addresses.available()
        return Response({**UserSerializer(user).data, "verification_sent": sent}, status=status.HTTP_201_CREATED)


class IntrospectView(NoStoreMixin, APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [IntrospectIPThrottle]
    # RFC 7662 sends a form; JSON is accepted too.
    parser_classes = [BoundedJSONParser, FormParser]

    def initial(self, request, *args, **kwargs):
        if not conf.introspection_secret():
            raise NotFound(_("Token introspection is not enabled."))
        super().initial(request, *args, **kwargs)

    def get_authenticate_header(self, request):
        return 'Bearer realm="introspection"'

    @schema.operation(
        summary="Introspect an access token (RFC 7662)",
        description="For other services: whether an access token is valid and its session live, from the same "
        "check Gatehouse's own routes make, so a logout or revocation shows at once. Authenticate with "
        "`Authorization: Bearer <INTROSPECTION_SECRET>`. Anything that is not a live session's access token "
        "(expired, forged, another issuer or audience, a refresh token, garbage) is `{\"active\": false}`, "
        "never an error. The body may also be a form (`application/x-www-form-urlencoded`).",
        request={
            "application/json": IntrospectionSerializer,
            "application/x-www-form-urlencoded": IntrospectionSerializer,
        },
        responses={200: IntrospectionResponseSerializer},
        errors={
            400: "No `token` in the body (`invalid`, with `fields`), or a body that is not valid JSON.",
            401: "Missing or wrong introspection secret (`invalid_client`).",
            404: "Introspection is not enabled on this server (`INTROSPECTION_SECRET` unset; `not_found`).",
            413: schema.BODY_ERRORS[413],
            415: "The body is neither JSON nor a form (`unsupported_media_type`).",
            **schema.THROTTLED, **schema.DATABASE,
        },
        auth=schema.INTROSPECTION_SECRET,
    )
    def post(self, request):
        if not introspection.client_authorized(authorization=request.headers.get("Authorization")):
            raise AuthenticationFailed("Send Authorization: Bearer <INTROSPECTION_SECRET>.", code="invalid_client")
        form = IntrospectionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return Response(introspection.introspect(token=form.validated_data["token"]))


class UserPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


@schema.operation(
    summary="List users (staff)",
    description="Every user with their number of active sessions, by username, 50 a page (`page_size` up to "
    "200). Staff with the `accounts.view_user` permission only.",
    responses={200: StaffUserSerializer(many=True)},
    errors={
        **schema.BEARER_REFUSED,
        403: "The caller is not staff with the `accounts.view_user` permission (`permission_denied`).",
        404: "No such page (`not_found`).",
        **schema.DATABASE,
    },
)
class StaffUserListView(NoStoreMixin, ListAPIView):
    token_scope = token_scopes.USERS_READ  # a data route (and CanViewUsers still applies)
    permission_classes = [CanViewUsers]
    serializer_class = StaffUserSerializer
    pagination_class = UserPagination

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

    @schema.operation(
        summary="Health check",
        description="For load balancers: 200 when the database answers (`SELECT 1`), 503 when it does not. "
        "Answered whatever the `Host`.",
        responses={200: schema.HealthSerializer},
        errors={**schema.DATABASE},
        auth=schema.PUBLIC,
    )
    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Response({"status": "ok"})
