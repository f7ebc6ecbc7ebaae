"""HTTP for personal access tokens: list, create (shown once), revoke. Only from a browser session.

None of these views declares a ``token_scope``, so a personal token cannot
list, mint or revoke tokens, nor read the scopes: a leaked one cannot make
itself a successor.
"""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.api import schema
from accounts.api.reauth import RecentAuthentication
from accounts.api.views import BearerView
from accounts.limits.net import client_info
from accounts.models import RevocationReason
from accounts.personal_tokens import flows
from accounts.personal_tokens.scopes import MAX_NAME_LENGTH as SCOPE_NAME_MAX_LENGTH
from accounts.personal_tokens.scopes import declared_scopes, required_scope
from accounts.personal_tokens.models import NAME_MAX_LENGTH

_NOT_WITH_A_PERSONAL_TOKEN = {
    403: "The request came with a personal token (`personal_token_not_allowed`): tokens are managed from a "
    "browser session only.",
}


class PersonalTokenSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)
    prefix = serializers.CharField(
        read_only=True, help_text="The token's public start (gat_ and its lookup id), to recognise it; not a secret."
    )
    created_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)
    last_used_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="To the minute.")
    last_used_ip = serializers.IPAddressField(read_only=True, allow_null=True)
    scopes = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="What the token may do (see GET /api/auth/tokens/scopes/)."
    )
    expired = serializers.SerializerMethodField()

    def get_expired(self, token) -> bool:
        return not token.is_active()


class CreatedPersonalTokenSerializer(PersonalTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The token itself: shown this once, never again.")


class PersonalTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    expires_in_days = serializers.IntegerField(min_value=1, max_value=flows.MAX_EXPIRY_DAYS)
    scopes = serializers.ListField(
        child=serializers.CharField(max_length=SCOPE_NAME_MAX_LENGTH), max_length=50,
        help_text="Names from GET /api/auth/tokens/scopes/; at least one.",
    )


class ScopeSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)


class PersonalTokenScopesView(BearerView):
    """The scopes a personal token may be given: the ones the installed routes declare."""

    @schema.operation(
        summary="List the scopes of personal access tokens",
        description="Every scope a route declares, by name, with the description the owner chooses it by. "
        "A browser session's access token only: a personal token gets 403 `personal_token_not_allowed`.",
        responses={200: ScopeSerializer(many=True)},
        errors={**schema.BEARER_REFUSED, **_NOT_WITH_A_PERSONAL_TOKEN, **schema.DATABASE},
    )
    def get(self, request):
        return Response(ScopeSerializer(declared_scopes(), many=True).data)


class PersonalTokenListView(BearerView):
    """The caller's personal access tokens: list them, or create one (shown once)."""

    def get_permissions(self):
        # Minting a long-lived credential takes the account further than a
        # session does: it needs a recent authentication. Listing does not.
        if self.request.method == "POST":
            return [IsAuthenticated(), RecentAuthentication()]
        return super().get_permissions()

    @schema.operation(
        summary="List your personal access tokens",
        description="The caller's tokens not revoked, newest first (expired ones flagged `expired`); never a secret. "
        "A browser session's access token only: a personal token gets 403 `personal_token_not_allowed`.",
        responses={200: PersonalTokenSerializer(many=True)},
        errors={**schema.BEARER_REFUSED, **_NOT_WITH_A_PERSONAL_TOKEN, **schema.DATABASE},
    )
    def get(self, request):
        return Response(PersonalTokenSerializer(flows.tokens_of(request.user), many=True).data)

    @schema.operation(
        summary="Create a personal access token",
        description="Mints a `gat_…` token for scripts; the answer is the only time the token is shown. Needs a "
        "recent authentication (403 `reauthentication_required`); `name` unique among your tokens, "
        "`expires_in_days` 1 to 365, `scopes` at least one of GET /api/auth/tokens/scopes/ (400 otherwise).",
        request=PersonalTokenCreateSerializer,
        responses={201: CreatedPersonalTokenSerializer},
        errors={
            **schema.BODY_ERRORS, **schema.BEARER_REFUSED,
            403: "The authentication is older than `REAUTH_MAX_AGE` (`reauthentication_required`), or the "
            "request came with a personal token (`personal_token_not_allowed`).",
            **schema.DATABASE,
        },
    )
    def post(self, request):
        form = PersonalTokenCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        created = flows.create_token(
            user=request.user, **form.validated_data, client=client_info(request), session_id=request.auth.session_id,
        )
        body = {**PersonalTokenSerializer(created.row).data, "token": created.token}
        return Response(body, status=status.HTTP_201_CREATED)


class PersonalTokenDetailView(BearerView):
    """One of the caller's personal access tokens."""

    @schema.operation(
        summary="Revoke a personal access token",
        description="Ends the token at once; 404 when it is not one of yours (or was revoked already).",
        responses={204: None},
        errors={
            **schema.BEARER_REFUSED, **_NOT_WITH_A_PERSONAL_TOKEN, 404: "Not one of your tokens (`not_found`).",
            **schema.DATABASE,
        },
    )
    def delete(self, request, token_id):
        token = flows.tokens_of(request.user).filter(pk=token_id).first()
        if token is None:
            raise NotFound(_("No such token."))
        flows.revoke_token(token=token, reason=RevocationReason.USER_REVOKED, client=client_info(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PersonalTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI scheme, listed only on the operations that accept a personal token."""

    target_class = "accounts.personal_tokens.authentication.PersonalTokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token (gat_…), for scripts: accepted on the routes that declare "
            "a scope, when the token carries it (403 `insufficient_scope` otherwise).",
        }

    def get_security_requirement(self, auto_schema):
        # OpenAPI 3.0 lists scopes only for OAuth2 schemes: a bearer requirement's list stays empty, and
        # GET /api/auth/tokens/scopes/ names each scope with its route.
        return {self.name: []} if required_scope(auto_schema.view, auto_schema.method) is not None else None
