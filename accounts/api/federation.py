"""HTTP for sign-in with other identity providers: the providers, start, callback, the second step, identities.

Translation only; the rules live in ``accounts.federation``. The callback is
where the provider sends the browser back, so it answers with redirects
into the app, never with JSON: ``next`` (a path on this site) signed in,
``/login?second_step=1`` when the account's second step is due (the
``mfa_token`` waits in an HttpOnly cookie for ``POST
/api/auth/federation/second-step/``: never in a URL), ``/account`` after a
link, or ``/login?error=<code>`` (``/account?error=<code>``). After a sign-in
or a re-authentication a short-lived cookie the app can read
(``gatehouse_federated``, no secret in it) tells the app to fetch its access
token with the refresh cookie.
"""
from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated, NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import conf
from accounts.api import schema
from accounts.api.base import (
    BearerView,
    CookieRouteView,
    NoStoreMixin,
    second_step_response,
)
from accounts.api.cookies import set_token_cookies
from accounts.api.origin import SameSiteOrigin
from accounts.api.reauth import (
    ReauthenticationRequired,
    RecentAuthentication,
    authenticated_recently,
)
from accounts.federation import flows, linking, state
from accounts.federation.models import FederationIntent
from accounts.federation.outcomes import Failed
from accounts.limits.net import client_info
from accounts.limits.throttling import LoginIPThrottle
from accounts.mfa import challenges, methods
from accounts.mfa.challenges import SecondStepRequired
from accounts.signin import provider as provider_sign_in

# Read by the app (frontend/static/app/provider-return.js): "fetch your access token now". Holds no secret.
SIGNED_IN_COOKIE = "gatehouse_federated"
SIGNED_IN_COOKIE_MAX_AGE = 120
# The mfa_token of a second step due after a provider sign-in (HttpOnly).
SECOND_STEP_COOKIE = "gatehouse_federation_step"


class ProviderSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text="`oidc`, `google`, `microsoft`, `gitlab` or `github`.")
    domains = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text="Email domains this provider owns (lower case, IDNA ASCII; often empty): the login page sends "
        "an address at one of them to this provider.",
    )


class StartSerializer(serializers.Serializer):
    intent = serializers.ChoiceField(
        choices=[choice.value for choice in FederationIntent], default=FederationIntent.LOGIN,
        help_text="`login` (sign in, or sign up), `link` (to the caller's account; recent authentication) or "
        "`reauth` (confirm it is the caller, with one of their linked identities).",
    )
    next = serializers.CharField(
        required=False, allow_blank=True, max_length=500, default="/",
        help_text="Where to go once signed in: a path on this site (anything else is `/`).",
    )


class StartedSerializer(serializers.Serializer):
    authorization_url = serializers.URLField(help_text="Send the browser there (a full-page navigation).")


class IdentitySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    provider = serializers.CharField(source="provider.slug", read_only=True)
    name = serializers.CharField(source="provider.name", read_only=True)
    kind = serializers.CharField(source="provider.kind", read_only=True)
    email = serializers.CharField(read_only=True, help_text="The address the provider gave (may be empty).")
    created_at = serializers.DateTimeField(read_only=True)
    last_used_at = serializers.DateTimeField(read_only=True, allow_null=True)


class ProviderListView(NoStoreMixin, APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @schema.operation(
        summary="Sign-in providers",
        description="The enabled identity providers people may sign in with (\"Continue with …\").",
        responses={200: ProviderSerializer(many=True)},
        errors={**schema.DATABASE},
        auth=schema.PUBLIC,
    )
    def get(self, request):
        return Response(ProviderSerializer(flows.enabled_providers(), many=True).data)


class FederationStartView(BearerView):
    """Public for a sign-in; a link or a re-authentication needs the caller's access token."""

    permission_classes = [SameSiteOrigin]
    throttle_classes = [LoginIPThrottle]
    open_before_enrolment = True  # a re-authentication may be what enrolment needs

    @schema.operation(
        summary="Start a sign-in through a provider",
        description="Begin a sign-in (or sign-up) at provider `slug`, a link to the caller's account, or a "
        "re-authentication with one of the caller's linked identities. Answers the provider's authorization URL "
        "and sets a short-lived HttpOnly state cookie (`FEDERATION_STATE_TTL`) that the callback needs: state, "
        "nonce and PKCE verifier stay on the server.",
        request=StartSerializer,
        responses={200: StartedSerializer},
        errors={
            **schema.BODY_ERRORS,
            400: "A bad body, or `reauth` through a provider that cannot be asked for a fresh sign-in (GitHub: "
            "`reauthentication_unsupported`).",
            401: "`link` or `reauth` without a valid access token.",
            403: "A cross-site request (`origin_not_allowed`), or a `link` whose authentication is older than "
            "`REAUTH_MAX_AGE` (`reauthentication_required`).",
            404: "No enabled provider `slug` (`not_found`).",
            429: None,
            503: "The provider's discovery document or keys cannot be fetched (`provider_unavailable`), or the "
            "database is unavailable.",
        },
        auth=[{"bearerAuth": []}, {}],
    )
    def post(self, request, slug):
        body = StartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        intent = body.validated_data["intent"]
        user = session_id = None
        if intent != FederationIntent.LOGIN:
            if not (request.user and request.user.is_authenticated and getattr(request.auth, "session_id", None)):
                raise NotAuthenticated()
            if intent == FederationIntent.LINK and not authenticated_recently(request.auth):
                raise ReauthenticationRequired()
            user, session_id = request.user, request.auth.session_id
        try:
            started = flows.start(
                slug=slug, intent=intent, redirect_uri=_redirect_uri(request, slug),
                next_path=body.validated_data["next"], user=user, session_id=session_id,
            )
        except flows.CannotConfirmPresence:
            return Response(
                {"detail": _("This provider cannot confirm it is you. Use your password, a code or a passkey."),
                 "code": "reauthentication_unsupported"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        except flows.ProviderUnavailable as error:
            if error.unknown:
                raise NotFound(_("No such sign-in provider.")) from None
            return Response(
                {"detail": _("That provider cannot be reached right now. Try again in a moment."),
                 "code": "provider_unavailable"},
                status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "30"},
            )
        response = Response({"authorization_url": started.authorization_url})
        response.set_cookie(
            state.COOKIE, started.cookie, max_age=started.max_age, path=state.COOKIE_PATH,
            secure=conf.cookie_secure(), httponly=True, samesite="Lax",
        )
        return response


class FederationCallbackView(NoStoreMixin, APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginIPThrottle]

    @schema.operation(
        summary="Back from the provider",
        description="Where the provider sends the browser (the redirect URI to register: "
        "`SITE_URL/api/auth/federation/<slug>/callback/`). Needs the state cookie of `start`, used once. "
        "Answers 302: to `next` signed in (the refresh cookie set as by a login); to `/login?second_step=1` "
        "when the account's second step is due (then `POST /api/auth/federation/second-step/`); to `/account` "
        "after a link; or to `/login?error=<code>` (`/account?error=<code>` for a link or re-authentication) "
        "with `federation_failed`, `federation_cancelled`, `account_exists`, `account_unconfirmed` (the address "
        "was mailed a password-reset link), `signup_closed`, "
        "`identity_in_use`, `email_unverified` or `sso_required` (the address's domain belongs to another "
        "provider).",
        parameters=[
            OpenApiParameter("code", str, description="The authorization code."),
            OpenApiParameter("state", str, description="The state `start` sent."),
            OpenApiParameter("iss", str, description="The provider's issuer (RFC 9207), checked when sent."),
            OpenApiParameter("error", str, description="The provider's refusal (`access_denied`: cancelled)."),
        ],
        responses={302: OpenApiResponse(description="A redirect into the app (see above).")},
        errors={404: "A path whose `<slug>` cannot be a provider's (`not_found`).", 429: None},
        auth=schema.PUBLIC,
        sets_cookie=[302],
    )
    def get(self, request, slug):
        params = {key: request.query_params.get(key) for key in ("code", "state", "iss", "error")}
        params = {key: value for key, value in params.items() if value is not None}
        try:
            done = provider_sign_in.complete(
                slug=slug, params=params, cookie=request.COOKIES.get(state.COOKIE), client=client_info(request)
            )
        except Failed as failure:
            page = "/login" if getattr(failure, "intent", "login") == FederationIntent.LOGIN else "/account"
            return _redirect(f"{page}?{urlencode({'error': failure.code})}")
        if done.intent == FederationIntent.LINK:
            return _redirect("/account")
        if done.intent == FederationIntent.REAUTHENTICATE:
            response = _redirect(done.next_path)
            _tell_the_app(response)
            return response
        if isinstance(done.result, SecondStepRequired):
            query = {"second_step": "1"}
            if done.next_path != "/":
                query["next"] = done.next_path
            response = _redirect(f"/login?{urlencode(query)}")
            response.set_cookie(
                SECOND_STEP_COOKIE, done.result.mfa_token, max_age=done.result.expires_in, path=state.COOKIE_PATH,
                secure=conf.cookie_secure(), httponly=True, samesite="Strict",
            )
            return response
        response = _redirect(done.next_path)
        set_token_cookies(response, done.result)
        _tell_the_app(response)
        return response


class FederationSecondStepView(CookieRouteView):
    throttle_classes = [LoginIPThrottle]

    @schema.operation(
        summary="The second step after a provider sign-in",
        description="After a provider sign-in of an account with a second factor, the callback keeps the "
        "attempt in an HttpOnly cookie and sends the browser to `/login?second_step=1`: this answers it as a "
        "password login would (202 with `mfa_token` and `methods`, for `POST /api/auth/login/mfa/`), once.",
        responses={202: OpenApiResponse(description="As the login's 202: `mfa_required`, `mfa_token`, `methods`.")},
        errors={
            401: "No second step waits for this browser, or it expired (`mfa_token_invalid`).",
            **schema.ORIGIN_REFUSED, **schema.THROTTLED, **schema.DATABASE,
        },
        auth=schema.PUBLIC,
    )
    def post(self, request):
        token = request.COOKIES.get(SECOND_STEP_COOKIE)
        challenge = challenges.live_challenge(token, client_info(request))  # MfaTokenInvalid (401) otherwise
        pending = SecondStepRequired(
            mfa_token=token, methods=[method.name for method in methods.available(challenge.user)],
            expires_in=max(0, int((challenge.expires_at - timezone.now()).total_seconds())),
        )
        response = second_step_response(pending)
        response.delete_cookie(SECOND_STEP_COOKIE, path=state.COOKIE_PATH, samesite="Strict")
        return response


class IdentityListView(BearerView):
    @schema.operation(
        summary="My linked identities",
        description="The caller's accounts at other identity providers that sign in here.",
        responses={200: IdentitySerializer(many=True)},
        errors={**schema.BEARER_REFUSED, **schema.DATABASE},
    )
    def get(self, request):
        return Response(IdentitySerializer(linking.identities_of(request.user), many=True).data)


class IdentityDetailView(BearerView):
    permission_classes = [IsAuthenticated, RecentAuthentication]

    @schema.operation(
        summary="Unlink an identity",
        description="The provider can no longer sign in to the account; the owner is mailed. Needs a recent "
        "authentication. Refused (409 `last_sign_in_method`) when nothing else could sign in: no usable "
        "password, no passkey, no other identity (set a password through the reset mail first).",
        responses={204: None},
        errors={
            **schema.BEARER_REFUSED, **schema.REAUTHENTICATION,
            404: "Not one of the caller's identities (`not_found`).",
            409: "The last way to sign in (`last_sign_in_method`).",
            **schema.DATABASE,
        },
    )
    def delete(self, request, identity_id):
        linking.unlink(
            user=request.user, identity_id=identity_id, session_id=request.auth.session_id,
            client=client_info(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def _redirect_uri(request, slug) -> str:
    """The callback URL registered at the provider: under ``SITE_URL`` when set, else this request's origin."""
    base = (conf.site_url() or request.build_absolute_uri("/")).rstrip("/")
    return f"{base}/api/auth/federation/{slug}/callback/"


def _redirect(location):
    response = HttpResponseRedirect(location)
    response.delete_cookie(state.COOKIE, path=state.COOKIE_PATH, samesite="Lax")
    return response


def _tell_the_app(response):
    response.set_cookie(
        SIGNED_IN_COOKIE, "1", max_age=SIGNED_IN_COOKIE_MAX_AGE, path="/", secure=conf.cookie_secure(),
        httponly=False, samesite="Strict",
    )
