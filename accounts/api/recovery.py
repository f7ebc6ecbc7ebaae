"""HTTP for account recovery: request a reset link, confirm it with a new password."""
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.api.serializers import _password_field
from accounts.api.views import CookieRouteView
from accounts.limits.net import client_info
from accounts.limits.throttling import PasswordResetConfirmIPThrottle, PasswordResetIPThrottle
from accounts.recovery import flows

_SENT = {
    "detail": "If an account has this address, a link to reset its password is on its way. "
    "Check your mail (and the spam folder)."
}


class PasswordResetRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(serializers.Serializer):
    # Any string: a wrong one, however malformed, is answered token_invalid by the flow.
    token = serializers.CharField(max_length=4096, allow_blank=True, trim_whitespace=True)
    new_password = _password_field()


class PasswordResetRequestView(CookieRouteView):
    throttle_classes = [PasswordResetIPThrottle]

    @extend_schema(request=PasswordResetRequestSerializer, responses={202: OpenApiResponse(), 429: OpenApiResponse()})
    def post(self, request):
        form = PasswordResetRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        flows.request_password_reset(email=form.validated_data["email"], client=client_info(request))
        return Response(_SENT, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(CookieRouteView):
    throttle_classes = [PasswordResetConfirmIPThrottle]

    @extend_schema(request=PasswordResetConfirmSerializer, responses={204: None, 400: OpenApiResponse()})
    def post(self, request):
        form = PasswordResetConfirmSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        flows.confirm_password_reset(**form.validated_data, client=client_info(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
