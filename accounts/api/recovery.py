"""HTTP for account recovery: request a reset link, confirm it with a new password."""
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.api import schema
from accounts.api.serializers import _password_field
from accounts.api.views import CookieRouteView
from accounts.limits.net import client_info
from accounts.limits.throttling import PasswordResetConfirmIPThrottle, PasswordResetIPThrottle
from accounts.recovery import flows

_SENT = {
    "detail": "If an account has this address, a link to reset its password is on its way. "
    "Check your mail (and the spam folder)."
}


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class PasswordResetRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(serializers.Serializer):
    # Any string: a wrong one, however malformed, is answered token_invalid by the flow.
    token = serializers.CharField(max_length=4096, allow_blank=True, trim_whitespace=True)
    new_password = _password_field()


class PasswordResetRequestView(CookieRouteView):
    throttle_classes = [PasswordResetIPThrottle]

    @schema.operation(
        summary="Ask for a password-reset link",
        description="Mails a single-use link to reset the password to the account with this address, if an "
        "active one has it. The answer is the same whether or not one does. 503 `recovery_unavailable` when "
        "the server has no `SITE_URL` or no mail configured.",
        request=PasswordResetRequestSerializer,
        responses={202: DetailSerializer},
        errors={
            **schema.BODY_ERRORS, **schema.ORIGIN_REFUSED, **schema.THROTTLED,
            503: "The database is unavailable (`service_unavailable`), or the server has no `SITE_URL` or no "
            "mail configured (`recovery_unavailable`): try again after `Retry-After` seconds.",
        },
        auth=schema.PUBLIC,
    )
    def post(self, request):
        form = PasswordResetRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        flows.request_password_reset(email=form.validated_data["email"], client=client_info(request))
        return Response(_SENT, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(CookieRouteView):
    throttle_classes = [PasswordResetConfirmIPThrottle]

    @schema.operation(
        summary="Set a new password with a reset link's token",
        description="Sets the password (the server's validators apply: 400 with `fields`), ends every session "
        "of the user and mails a notice. 400 `token_invalid` for an unknown, used or expired token, or one "
        "issued before the password last changed.",
        request=PasswordResetConfirmSerializer,
        responses={204: None},
        errors={**schema.BODY_ERRORS, **schema.ORIGIN_REFUSED, **schema.THROTTLED, **schema.DATABASE},
        auth=schema.PUBLIC,
    )
    def post(self, request):
        form = PasswordResetConfirmSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        flows.confirm_password_reset(**form.validated_data, client=client_info(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
