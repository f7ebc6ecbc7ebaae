"""HTTP for verified addresses: use a link, ask for a new one, change the address."""
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts import services
from accounts.api.reauth import RecentAuthentication
from accounts.api.serializers import _password_field
from accounts.api.views import BearerView, CookieRouteView
from accounts.identity import canonical_email
from accounts.limits.net import client_info
from accounts.limits.throttling import EmailChangeIPThrottle, EmailVerifyIPThrottle, EmailVerifyResendIPThrottle
from accounts.recovery import addresses
from accounts.text import strip_control_characters

_RESENT = {
    "detail": "If an account has this address and it is not verified yet, a new link is on its way. "
    "Check your mail (and the spam folder)."
}
_CHANGE_SENT = {
    "detail": "Check the inbox of the new address: your address changes when you open the link we sent there. "
    "Your current address has been told."
}


class VerifySerializer(serializers.Serializer):
    # Any string: a wrong one, however malformed, is answered token_invalid by the flow.
    token = serializers.CharField(max_length=4096, allow_blank=True, trim_whitespace=True)


class ResendSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class EmailChangeSerializer(serializers.Serializer):
    new_email = serializers.EmailField(max_length=254)
    password = _password_field()

    def validate_new_email(self, value):
        # Django's validator lets a quoted local part hold control characters ("a\x01"@b.example).
        if strip_control_characters(value) != value:
            raise serializers.ValidationError("Enter a valid email address.")
        if canonical_email(value) == canonical_email(self.context["user"].email or ""):
            raise serializers.ValidationError("That is already your address.")
        return value


class EmailVerifyView(CookieRouteView):
    throttle_classes = [EmailVerifyIPThrottle]

    @extend_schema(request=VerifySerializer, responses={204: None, 400: OpenApiResponse()})
    def post(self, request):
        form = VerifySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        addresses.verify(token=form.validated_data["token"], client=client_info(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailVerifyResendView(CookieRouteView):
    throttle_classes = [EmailVerifyResendIPThrottle]

    @extend_schema(request=ResendSerializer, responses={202: OpenApiResponse(), 429: OpenApiResponse()})
    def post(self, request):
        form = ResendSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        addresses.resend_verification(email=form.validated_data["email"])
        return Response(_RESENT, status=status.HTTP_202_ACCEPTED)


class EmailChangeView(BearerView):
    permission_classes = [IsAuthenticated, RecentAuthentication]
    throttle_classes = [EmailChangeIPThrottle]

    @extend_schema(request=EmailChangeSerializer, responses={202: OpenApiResponse(), 400: OpenApiResponse()})
    def post(self, request):
        form = EmailChangeSerializer(data=request.data, context={"user": request.user})
        form.is_valid(raise_exception=True)
        services.request_email_change(user=request.user, **form.validated_data, client=client_info(request))
        return Response(_CHANGE_SENT, status=status.HTTP_202_ACCEPTED)
