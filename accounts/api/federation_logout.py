"""HTTP for a provider's back-channel logout (OIDC Back-Channel Logout 1.0): ``accounts.federation.backchannel``.

The provider's server posts ``logout_token`` form-encoded, with no cookie and
no origin: nothing of a browser's is read, so no origin check applies (and
none could: it comes from no page). The answers are the specification's:
200 when the sessions are ended (or there were none), 400 with ``error`` when
the token is refused, ``Cache-Control: no-store`` on both; our own ``detail``
and ``code`` ride along, as on every /api/ error.
"""
import logging

from rest_framework import serializers, status
from rest_framework.parsers import FormParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import schema
from accounts.api.base import NoStoreMixin
from accounts.api.exceptions import error_body
from accounts.federation import backchannel, logout_tokens, metadata
from accounts.federation.models import Provider
from accounts.limits.net import client_info

logger = logging.getLogger(__name__)


class BackchannelLogoutSerializer(serializers.Serializer):
    logout_token = serializers.CharField(
        max_length=logout_tokens.MAX_LENGTH, help_text="The logout token (a JWT signed by the provider)."
    )


class BackchannelLogoutView(NoStoreMixin, APIView):
    authentication_classes = []
    permission_classes = []
    parser_classes = [FormParser]

    @schema.operation(
        summary="A provider's back-channel logout",
        description="Called by a sign-in provider's server (not a browser) when one of its sessions ends: "
        "`logout_token` (form-encoded) is checked as an ID token is (the provider's keys, `iss`, `aud`, `iat`, "
        "`exp`), must carry the back-channel logout event, `sid` and/or `sub`, a `jti` never used before and no "
        "`nonce`; then every Gatehouse session opened through that provider session (`sid`), or for that user "
        "at the provider (`sub` alone), is revoked, in every process. 200 also when no session matched. "
        "The endpoint to register at the provider: `SITE_URL/api/auth/federation/<slug>/backchannel-logout/`.",
        request={"application/x-www-form-urlencoded": BackchannelLogoutSerializer},
        responses={200: None},
        errors={
            400: "`logout_token` missing or refused (`error`: `invalid_request`; `code`: `logout_token_invalid`), "
            "or the provider's keys could not be had (`code`: `provider_unavailable`).",
            404: "No such provider, or one of a kind without sessions to end (GitHub).",
            413: None, 415: None, **schema.DATABASE,
        },
        auth=schema.PUBLIC,
    )
    def post(self, request, slug):
        provider = Provider.objects.filter(slug=slug).first()
        if provider is None:
            return _refused(status.HTTP_404_NOT_FOUND, "No such sign-in provider.", "not_found", "invalid_request")
        form = BackchannelLogoutSerializer(data=request.data)
        if not form.is_valid():
            return _refused(status.HTTP_400_BAD_REQUEST, "logout_token is missing.", "logout_token_invalid")
        try:
            ended = backchannel.receive(
                provider=provider, logout_token=form.validated_data["logout_token"], client=client_info(request)
            )
        except backchannel.NotSupported:
            return _refused(status.HTTP_404_NOT_FOUND, "No such sign-in provider.", "not_found", "invalid_request")
        except metadata.Unavailable as error:
            logger.warning("Back-channel logout from %s: its keys could not be had: %s", provider.slug, error)
            return _refused(
                status.HTTP_400_BAD_REQUEST, "The provider's keys could not be fetched; try again.",
                "provider_unavailable",
            )
        except logout_tokens.LogoutTokenInvalid as refused:
            logger.info("Back-channel logout from %s refused: %s", provider.slug, refused.reason)
            return _refused(status.HTTP_400_BAD_REQUEST, "The logout token is not valid.", "logout_token_invalid")
        logger.info("Back-channel logout from %s ended %d session(s)", provider.slug, ended)
        return Response(status=status.HTTP_200_OK)


def _refused(status_code, detail, code, error="invalid_request"):
    return Response({**error_body(detail, code), "error": error, "error_description": detail}, status=status_code)
