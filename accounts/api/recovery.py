"""HTTP for account recovery: request a reset link, confirm it with a new password."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.api import schema
from accounts.api.serializers import EmailAddressField, _password_field
from accounts.api.views import CookieRouteView
from accounts.limits.net import client_info
from accounts.limits.throttling import (
    PasswordResetAccountIPThrottle,
    PasswordResetConfirmIPThrottle,
    PasswordResetIPThrottle,
)
from accounts.recovery import flows

_SENT = {
    "detail": _(
        "If an account has this address, a link to reset its password is on its way. "
        "Check your mail (and the spam folder)."
    )
}


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class PasswordResetRequestSerializer(serializers.Serializer):
    email = EmailAddressField()


def _token_field():
    # Any string, untrimmed: a wrong one, however malformed or spelled, is answered token_invalid by the flow.
    return serializers.CharField(max_length=4096, allow_blank=True, trim_whitespace=False)


class PasswordResetConfirmSerializer(serializers.Serializer):
    token = _token_field()
    new_password = _password_field()


class PasswordResetAccountSerializer(serializers.Serializer):
    token = _token_field()


class PasswordResetAccountResponseSerializer(serializers.Serializer):
    username = serializers.CharField(help_text="The account the token resets the password of.")


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
            503: "The database is unavailable (`service_unavailable`: try again after `Retry-After` seconds), "
            "or the server has no `SITE_URL` or no mail configured (`recovery_unavailable`: no retry helps "
            "until an operator sets them, so it carries no `Retry-After`).",
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
        errors={**schema.BODY_ERRORS, **schema.ORIGIN_REFUSED, **schema.THROTTLED, **schema.PASSWORD_CHECK},
        auth=schema.PUBLIC,
    )
    def post(self, request):
        form = PasswordResetConfirmSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        flows.confirm_password_reset(**form.validated_data, client=client_info(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetAccountView(CookieRouteView):
    throttle_classes = [PasswordResetAccountIPThrottle]

    @schema.operation(
        summary="Which account a reset link's token is for",
        description="The reset page names the account before a new password is chosen. Only a valid token "
        "(the one in the mail) learns the username; anything else is 400 `token_invalid`, the same answer as "
        "the confirm route's. The token is sent in the body, never in a URL.",
        request=PasswordResetAccountSerializer,
        responses={200: PasswordResetAccountResponseSerializer},
        errors={**schema.BODY_ERRORS, **schema.ORIGIN_REFUSED, **schema.THROTTLED, **schema.DATABASE},
        auth=schema.PUBLIC,
    )
    def post(self, request):
        form = PasswordResetAccountSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return Response({"username": flows.account_for_token(token=form.validated_data["token"])})
