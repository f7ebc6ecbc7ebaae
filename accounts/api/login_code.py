"""HTTP for sign-in by email code: ask for a code, then sign in with it (``accounts.signin.email_code``)."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.api import schema
from accounts.api.base import CookieRouteView, sign_in_response
from accounts.api.recovery import DetailSerializer
from accounts.api.serializers import EmailAddressField, LoginResponseSerializer, SecondStepRequiredSerializer
from accounts.limits.net import client_info
from accounts.limits.throttling import LoginCodeConfirmIPThrottle, LoginCodeIPThrottle
from accounts.signin import email_code

_SENT = {
    "detail": _(
        "If an account has this address, a sign-in code is on its way. Check your mail (and the spam folder)."
    )
}

_UNAVAILABLE = {
    404: "`LOGIN_BY_CODE` is off (`not_found`).",
    503: "The database is unavailable (`service_unavailable`), or the server has no `SITE_URL` or no mail "
    "configured (`login_code_unavailable`).",
}


class LoginCodeRequestSerializer(serializers.Serializer):
    email = EmailAddressField()


class LoginCodeConfirmSerializer(serializers.Serializer):
    email = EmailAddressField()
    # Any short text: a wrong code, however typed, is answered code_invalid.
    code = serializers.CharField(max_length=32, trim_whitespace=True)
    remember = serializers.BooleanField(
        default=True, help_text="Keep me signed in: false makes the refresh cookie last only as long as the browser."
    )


class LoginCodeRequestView(CookieRouteView):
    throttle_classes = [LoginCodeIPThrottle]

    @schema.operation(
        summary="Ask for a sign-in code by email",
        description="Mails a one-time code to the active account with this address, if there is one; the answer "
        "is the same either way. The code works once, for 10 minutes and at most 5 tries; a newer code ends it. "
        "Codes per address (`LOGIN_CODE_RATE_PER_ADDRESS`) and per client (`LOGIN_CODE_RATE_PER_IP`) are "
        "limited (429).",
        request=LoginCodeRequestSerializer,
        responses={202: DetailSerializer},
        errors={**schema.BODY_ERRORS, **schema.ORIGIN_REFUSED, **schema.THROTTLED, **_UNAVAILABLE},
        auth=schema.PUBLIC,
    )
    def post(self, request):
        form = LoginCodeRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        email_code.request_code(email=form.validated_data["email"])
        return Response(_SENT, status=status.HTTP_202_ACCEPTED)


class LoginCodeConfirmView(CookieRouteView):
    throttle_classes = [LoginCodeConfirmIPThrottle]

    @schema.operation(
        summary="Sign in with an emailed code",
        description="The code mailed by `POST /api/auth/login/code/`, with its address: the same answer and "
        "refresh cookie as a login (`amr` `[\"email\"]`, a first factor), or 202 with an `mfa_token` when the "
        "account has a second factor. Using the code verifies the address. 401 `code_invalid` for a wrong, "
        "used, expired or replaced code, the sixth try, or an address with no code.",
        request=LoginCodeConfirmSerializer,
        responses={200: LoginResponseSerializer, 202: SecondStepRequiredSerializer},
        errors={
            **schema.BODY_ERRORS,
            401: "The code is not right for this address now (`code_invalid`).",
            403: "A cross-site request (`origin_not_allowed`).",
            **schema.THROTTLED, **_UNAVAILABLE,
        },
        auth=schema.PUBLIC,
        sets_cookie=[200],
    )
    def post(self, request):
        form = LoginCodeConfirmSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return sign_in_response(lambda: email_code.log_in(**form.validated_data, client=client_info(request)))
