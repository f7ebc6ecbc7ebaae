"""HTTP for Gatehouse as an OpenID Provider, as the browser app uses it: consent, RP-initiated logout, apps.

The ``/oauth/…`` endpoints (``accounts.oidc_provider.views``) check an
authorization request and send the browser to the app's ``/authorize`` page
with it sealed; that page signs the user in as any page does, then posts
the request here. The answer is where to send the browser next (the
client's redirect URI with a code or an error), or what the consent page
shows, or 403 ``reauthentication_required`` when ``max_age`` or
``prompt=login`` asks for a fresh authentication ("Confirm it's you").
"""
from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated as _NotAuthenticated
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from accounts.api import schema
from accounts.api.base import BearerView
from accounts.api.reauth import ReauthenticationRequired
from accounts.limits.net import client_info
from accounts.models import RefreshSession
from accounts.oidc_provider import flows, requests, rp_logout, scopes
from accounts.oidc_provider.clients import active_client, registered_client


def _browser_session(request) -> RefreshSession | None:
    """The caller's own browser session (an access token's ``sid``); None for a personal token or an app's grant."""
    session_id = getattr(request.auth, "session_id", None)
    if session_id is None or getattr(request.auth, "token", None) is None:
        return None
    session = RefreshSession.objects.filter(pk=session_id).first()
    if session is None or hasattr(session, "client_grant"):
        return None
    return session


class AuthorizeSerializer(serializers.Serializer):
    request = serializers.CharField(max_length=4000, help_text="The sealed request from `/authorize?request=…`.")
    decision = serializers.ChoiceField(choices=["allow", "deny"], required=False,
                                       help_text="The consent page's answer; absent on the first call.")


class AppScopeSerializer(serializers.Serializer):
    scope = serializers.CharField()
    text = serializers.CharField()


class ConsentSerializer(serializers.Serializer):
    client_id = serializers.CharField()
    client_name = serializers.CharField()
    redirect_host = serializers.CharField()
    scopes = AppScopeSerializer(many=True)


class AuthorizeAnswerSerializer(serializers.Serializer):
    redirect_to = serializers.CharField(required=False, help_text="Where to send the browser now.")
    consent = ConsentSerializer(required=False, help_text="Ask the user first, then post again with `decision`.")


class AuthorizeView(BearerView):
    permission_classes = (AllowAny,)

    @schema.operation(
        summary="Answer an application's sign-in request (OpenID Connect)",
        description="Posted by the app's `/authorize` page. Answers `redirect_to` (the application's redirect "
        "URI with a code, or with an error such as `access_denied`, `login_required`, `consent_required`), or "
        "`consent` (what to ask the user; post again with `decision`). Without a session only `prompt=none` "
        "requests are answered (`login_required`); others get 401. A request whose `max_age` has passed, or "
        "with `prompt=login`, needs a fresh authentication first (403 `reauthentication_required`).",
        request=AuthorizeSerializer,
        responses={200: AuthorizeAnswerSerializer},
        errors={**schema.BODY_ERRORS, 401: schema.BEARER_REFUSED[401],
                403: schema.REAUTHENTICATION[403] + " A personal token is refused (`not_a_browser_session`).",
                **schema.DATABASE},
    )
    def post(self, request):
        serializer = AuthorizeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        checked = requests.unseal(serializer.validated_data["request"])
        if checked is None:
            message = _("This sign-in request is invalid or has expired: start again from the application.")
            raise ValidationError({"request": [message]}, code="invalid")
        client = active_client(checked.client_id)
        if client is None or checked.redirect_uri not in client.redirect_uri_list:
            raise ValidationError({"request": [_("This application is no longer registered.")]}, code="invalid")
        prompt_none = checked.prompt == "none"
        if not getattr(request.user, "is_authenticated", False):
            if prompt_none:
                return Response({"redirect_to": checked.error("login_required", "Not signed in.").location()})
            raise _NotAuthenticated()
        session = _browser_session(request)
        if session is None:
            raise _NotBrowser()
        decision = serializer.validated_data.get("decision")
        if decision == "deny":
            return Response({"redirect_to": flows.deny(request=checked)})
        need = flows.needs(request=checked, client=client, user=request.user, session=session)
        if need is flows.Needs.REAUTHENTICATION:
            if prompt_none:
                return Response({"redirect_to": checked.error("login_required", "Authentication needed.").location()})
            raise ReauthenticationRequired()
        if need is flows.Needs.CONSENT and decision != "allow":
            if prompt_none:
                return Response({"redirect_to": checked.error("consent_required", "Consent needed.").location()})
            return Response({"consent": {
                "client_id": client.client_id, "client_name": client.name,
                "redirect_host": urlsplit(checked.redirect_uri).netloc or checked.redirect_uri,
                "scopes": scopes.described(checked.scope_list()),
            }})
        location = flows.allow(request=checked, client=client, user=request.user, session=session,
                               consented=decision == "allow")
        return Response({"redirect_to": location})


class _NotBrowser(PermissionDenied):
    default_detail = gettext_lazy("Only a signed-in browser can answer an application's sign-in request.")
    default_code = "not_a_browser_session"


class EndSessionSerializer(serializers.Serializer):
    request = serializers.CharField(max_length=4000)
    confirm = serializers.BooleanField(default=False)


class EndSessionAnswerSerializer(serializers.Serializer):
    client_name = serializers.CharField()
    ask = serializers.BooleanField(help_text="Ask the user before signing out (post again with `confirm`).")
    signed_out = serializers.BooleanField()
    redirect_to = serializers.CharField(allow_blank=True, help_text="The application's page after sign-out, or empty.")


class EndSessionView(BearerView):
    permission_classes = (AllowAny,)

    @schema.operation(
        summary="Sign out at an application's request (RP-initiated logout)",
        description="Posted by the app's `/end-session` page. When the request's `id_token_hint` names this "
        "browser's session, it ends at once; otherwise `ask` is true until the user confirms (`confirm`). "
        "Ending the Gatehouse session ends every application's grant made from it (back-channel logout).",
        request=EndSessionSerializer,
        responses={200: EndSessionAnswerSerializer},
        errors={**schema.BODY_ERRORS, **schema.BEARER_REFUSED, **schema.DATABASE},
    )
    def post(self, request):
        serializer = EndSessionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        checked = rp_logout.unseal(serializer.validated_data["request"])
        if checked is None:
            raise ValidationError({"request": [_("This sign-out request is invalid or has expired.")]}, code="invalid")
        answer = {"client_name": checked.client_name, "redirect_to": checked.redirect_to, "ask": False,
                  "signed_out": False}
        session = _browser_session(request) if getattr(request.user, "is_authenticated", False) else None
        if session is None:
            return Response(answer)
        named = checked.browser_session_id == str(session.id)
        if not named and not serializer.validated_data["confirm"]:
            return Response({**answer, "ask": True})
        rp_logout.end_browser_session(session_id=session.id, client_info=client_info(request))
        return Response({**answer, "signed_out": True})


class AppSerializer(serializers.Serializer):
    client_id = serializers.CharField()
    name = serializers.CharField()
    scopes = AppScopeSerializer(many=True)
    since = serializers.DateTimeField()
    last_used = serializers.DateTimeField(allow_null=True)
    active_sessions = serializers.IntegerField()


class AppListView(BearerView):
    permission_classes = (IsAuthenticated,)

    @schema.operation(
        summary="List the applications with access to my account",
        description="Applications that sign you in through Gatehouse (OpenID Connect): what you allowed each, "
        "since when, and how many of their sessions are live.",
        responses={200: AppSerializer(many=True)},
        errors={**schema.BEARER_REFUSED, **schema.DATABASE},
    )
    def get(self, request):
        return Response(AppSerializer(flows.connected_apps(user=request.user), many=True).data)


class AppDetailView(BearerView):
    permission_classes = (IsAuthenticated,)

    @schema.operation(
        summary="Remove an application's access",
        description="Its sessions end (it is told by back-channel logout) and it must ask again next time.",
        responses={204: None},
        errors={**schema.BEARER_REFUSED, 404: "No application of that id has access (`not_found`).",
                **schema.DATABASE},
    )
    def delete(self, request, client_id):
        client = registered_client(client_id)
        if client is None or not any(app["client_id"] == client_id for app in flows.connected_apps(user=request.user)):
            raise NotFound(_("No such application."))
        flows.end_app_access(user=request.user, client=client)
        return Response(status=status.HTTP_204_NO_CONTENT)
