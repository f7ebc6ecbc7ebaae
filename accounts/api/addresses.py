"""HTTP for verified addresses: use a link, ask for a new one, change the address."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts import services
from accounts.api import schema
from accounts.api.reauth import RecentAuthentication
from accounts.api.recovery import DetailSerializer
from accounts.api.serializers import EmailAddressField, _password_field
from accounts.api.views import BearerView, CookieRouteView
from accounts.identity import canonical_email
from accounts.limits.net import client_info
from accounts.limits.throttling import EmailChangeIPThrottle, EmailVerifyIPThrottle, EmailVerifyResendIPThrottle
from accounts.recovery import addresses

_RESENT = {
    "detail": _(
        "If an account has this address and it is not verified yet, a new link is on its way. "
        "Check your mail (and the spam folder)."
    )
}
_CHANGE_SENT = {
    "detail": _(
        "Check the inbox of the new address: your address changes when you open the link we sent there. "
        "Your current address has been told."
    )
}


class VerifySerializer(serializers.Serializer):
    # Any string, untrimmed: a wrong one, however malformed or spelled, is answered token_invalid by the flow.
    token = serializers.CharField(max_length=4096, allow_blank=True, trim_whitespace=False)


class ResendSerializer(serializers.Serializer):
    email = EmailAddressField()


class EmailChangeSerializer(serializers.Serializer):
    new_email = EmailAddressField()
    password = _password_field()

    def validate_new_email(self, value):
        if canonical_email(value) == canonical_email(self.context["user"].email or ""):
            raise serializers.ValidationError(_("That is already your address."))
        return value


class EmailVerifyView(CookieRouteView):
    throttle_classes = [EmailVerifyIPThrottle]

    @schema.operation(
        summary="Use a verification or change-of-address link",
        description="The token of a `SITE_URL/verify-email#token=…` link: verifies the address, or (for a "
        "change-of-address link) sets the new address, verified. 400 `token_invalid` for an unknown, used or "
        "expired token, or one whose address changed since; 400 `email_taken` when another account took the "
        "new address meanwhile.",
        request=VerifySerializer,
        responses={204: None},
        errors={
            **schema.BODY_ERRORS, **schema.THROTTLED, **schema.DATABASE,
            403: f"{schema.ORIGIN_REFUSED[403]} Or a change-of-address link that would take an address off the "
            "domains of the provider that owns it (`address_managed`, with `provider`).",
        },
        auth=schema.PUBLIC,
    )
    def post(self, request):
        form = VerifySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        addresses.verify(token=form.validated_data["token"], client=client_info(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailVerifyResendView(CookieRouteView):
    throttle_classes = [EmailVerifyResendIPThrottle]

    @schema.operation(
        summary="Ask for a new verification link",
        description="Mails a new verification link to the account with this address when it is not verified "
        "yet. The answer is the same whether the address is unknown, verified or not.",
        request=ResendSerializer,
        responses={202: DetailSerializer},
        errors={
            **schema.BODY_ERRORS, **schema.ORIGIN_REFUSED, **schema.THROTTLED,
            503: "The database is unavailable (`service_unavailable`), the server has no `SITE_URL` or no "
            "mail configured (`email_unavailable`), or every password-hashing slot is taken (`hashing_busy`): "
            "try again after `Retry-After` seconds.",
        },
        auth=schema.PUBLIC,
    )
    def post(self, request):
        form = ResendSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        addresses.resend_verification(email=form.validated_data["email"])
        return Response(_RESENT, status=status.HTTP_202_ACCEPTED)


class EmailChangeView(BearerView):
    permission_classes = [IsAuthenticated, RecentAuthentication]
    throttle_classes = [EmailChangeIPThrottle]

    @schema.operation(
        summary="Change my email address",
        description="Checks the password (a wrong one is a 400 on `password`, counted in the login backoff), "
        "mails a confirmation link to the new address and a notice to the current one; the address changes "
        "only when the link is used. Needs a recent authentication. An address at a domain a provider requires "
        "(`provider set … --require-for-domains`) stays at that provider's domains: 403 `address_managed`, "
        "with `provider`, before the password is checked.",
        request=EmailChangeSerializer,
        responses={202: DetailSerializer},
        errors={
            **schema.BODY_ERRORS, **schema.BEARER_REFUSED, **schema.THROTTLED,
            403: f"{schema.REAUTHENTICATION[403]} Or a new address off the domains of the provider that owns the "
            "current one (`address_managed`, with `provider`): the company manages it.",
            503: "The database is unavailable (`service_unavailable`), the server has no `SITE_URL` or no "
            "mail configured (`email_unavailable`), or every password-hashing slot is taken (`hashing_busy`): "
            "try again after `Retry-After` seconds.",
        },
    )
    def post(self, request):
        form = EmailChangeSerializer(data=request.data, context={"user": request.user})
        form.is_valid(raise_exception=True)
        services.request_email_change(user=request.user, **form.validated_data, client=client_info(request))
        return Response(_CHANGE_SENT, status=status.HTTP_202_ACCEPTED)
