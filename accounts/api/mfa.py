"""HTTP for second factors: the authenticator app, recovery codes, and a login's second step."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.api import schema
from accounts.api.base import BearerView, CookieRouteView, sign_in_response
from accounts.api.passkeys import _OPTIONS, CredentialField
from accounts.api.serializers import LoginResponseSerializer, code_field
from accounts.api.step_up import (
    AT_FACTOR_LEVEL,
    RecentAuthenticationAtFactorLevel,
    StepUpAnswers,
)
from accounts.limits.net import client_info
from accounts.limits.throttling import LoginIPThrottle
from accounts.mfa import factors, recovery_codes, totp
from accounts.signin import second_step


class CodeSerializer(serializers.Serializer):
    code = code_field()


class LoginSecondStepSerializer(serializers.Serializer):
    """The attempt's ``mfa_token`` and exactly one proof: a code, or a passkey's answer."""

    mfa_token = serializers.CharField(max_length=256, trim_whitespace=True)
    code = code_field(required=False, help_text="A code from the authenticator app, or a recovery code.")
    credential = CredentialField(
        required=False, help_text="A passkey's answer to POST /api/auth/login/mfa/passkey/options/."
    )
    trust_device = serializers.BooleanField(
        default=False, help_text="Trust this browser: its password logins of this account skip the second step "
        "for MFA_TRUST_DAYS (an HttpOnly cookie, `trusted_device`). Ignored when MFA_TRUST_DAYS is 0.",
    )

    def validate(self, attrs):
        if ("code" in attrs) == ("credential" in attrs):
            raise serializers.ValidationError({"code": [_("Send a code, or a passkey's credential.")]})
        return attrs

    def proof(self):
        data = self.validated_data
        return {"code": data["code"]} if "code" in data else {"credential": data["credential"]}


class MfaTokenSerializer(serializers.Serializer):
    mfa_token = serializers.CharField(max_length=256, trim_whitespace=True)


class TotpEnrolmentSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="Base32, for typing into an app by hand.")
    otpauth_uri = serializers.CharField()
    qr_svg = serializers.CharField(help_text="The QR code of otpauth_uri as a data:image/svg+xml URI.")


class RecoveryCodesSerializer(serializers.Serializer):
    recovery_codes = serializers.ListField(child=serializers.CharField(), help_text="Shown once; 10 codes.")


class _TotpStatus(serializers.Serializer):
    enabled = serializers.BooleanField()
    pending = serializers.BooleanField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)


class _RecoveryCodesStatus(serializers.Serializer):
    total = serializers.IntegerField()
    remaining = serializers.IntegerField()
    created_at = serializers.DateTimeField(allow_null=True)


class MfaStatusSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    totp = _TotpStatus()
    recovery_codes = _RecoveryCodesStatus()


class MfaStatusView(BearerView):
    open_before_enrolment = True  # MFA_REQUIRED: the enrolment page reads it

    @schema.operation(
        summary="My second factors",
        description="Whether two-step sign-in is on, the authenticator app's state and how many recovery codes "
        "are left. No secret.",
        responses={200: MfaStatusSerializer},
        errors={**schema.BEARER_REFUSED, **schema.DATABASE},
    )
    def get(self, request):
        return Response(MfaStatusSerializer(factors.summary(request.user)).data)


class TotpView(StepUpAnswers, BearerView):
    open_before_enrolment = True  # MFA_REQUIRED: setting up an authenticator app is enrolment

    permission_classes = [IsAuthenticated, RecentAuthenticationAtFactorLevel]

    @schema.operation(
        summary="Start setting up an authenticator app",
        description="A new secret, pending until `POST /api/auth/mfa/totp/confirm/` with a code from the app: "
        "its `otpauth://` URI and a QR code of it. Needs a recent "
        "authentication, with a second factor while the account has one.",
        responses={200: TotpEnrolmentSerializer},
        errors={
            **schema.BEARER_REFUSED, **AT_FACTOR_LEVEL,
            409: "An authenticator app is already on (`totp_already_enabled`).", **schema.DATABASE,
        },
    )
    def post(self, request):
        enrolment = totp.begin_enrolment(user=request.user)
        return Response(TotpEnrolmentSerializer(enrolment).data)

    @schema.operation(
        summary="Remove the authenticator app",
        description="Turns the app off (and with it the recovery codes when no other factor is left); the user is "
        "mailed. Needs a recent "
        "authentication, with a second factor while the account has one.",
        responses={204: None},
        errors={
            **schema.BEARER_REFUSED, **AT_FACTOR_LEVEL, 404: "No authenticator app is on (`not_found`).",
            **schema.DATABASE,
        },
    )
    def delete(self, request):
        totp.remove(user=request.user, client=client_info(request), session_id=request.auth.session_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TotpConfirmView(BearerView):
    open_before_enrolment = True  # MFA_REQUIRED: confirming the app is enrolment

    throttle_classes = [LoginIPThrottle]

    @schema.operation(
        summary="Confirm the authenticator app",
        description="A code from the app turns two-step sign-in on; the answer holds the ten recovery codes, "
        "shown this once. 400 `code_invalid` for a wrong code.",
        request=CodeSerializer,
        responses={200: RecoveryCodesSerializer},
        errors={**schema.BODY_ERRORS, **schema.BEARER_REFUSED, **schema.THROTTLED, **schema.DATABASE},
    )
    def post(self, request):
        form = CodeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        codes = totp.confirm_enrolment(
            user=request.user, code=form.validated_data["code"], client=client_info(request),
            session_id=request.auth.session_id,
        )
        return Response({"recovery_codes": codes})


class RecoveryCodesView(StepUpAnswers, BearerView):
    open_before_enrolment = True  # MFA_REQUIRED: the codes that come with a first factor

    permission_classes = [IsAuthenticated, RecentAuthenticationAtFactorLevel]

    @schema.operation(
        summary="New recovery codes",
        description="Ten new recovery codes, shown this once; the old set stops working. Needs a recent "
        "authentication with a second factor.",
        responses={200: RecoveryCodesSerializer},
        errors={
            **schema.BEARER_REFUSED, **AT_FACTOR_LEVEL,
            409: "Two-step sign-in is off (`mfa_not_enabled`).", **schema.DATABASE,
        },
    )
    def post(self, request):
        codes = recovery_codes.regenerate(
            user=request.user, client=client_info(request), session_id=request.auth.session_id
        )
        return Response({"recovery_codes": codes})


class LoginSecondStepView(CookieRouteView):
    """``POST /api/auth/login/mfa/``: the code after the password; the same answer and cookie as a login."""

    throttle_classes = [LoginIPThrottle]

    @schema.operation(
        summary="Finish a two-step login",
        description="The `mfa_token` a login answered (202) and a code from the authenticator app or a recovery "
        "code, or a passkey's `credential` (answering `POST /api/auth/login/mfa/passkey/options/`): the same "
        "answer and refresh cookie as a login. A wrong code or passkey answer is 401 `code_invalid` (the same "
        "`mfa_token` may be tried again, within the backoff), a code of the app already used 401 `code_used`; "
        "an unknown, used, expired or other client's token is 401 `mfa_token_invalid`. With `trust_device` true the "
        "answer also sets the `trusted_device` cookie.",
        request=LoginSecondStepSerializer,
        responses={200: LoginResponseSerializer},
        errors={
            **schema.BODY_ERRORS,
            401: "A wrong code (`code_invalid`), a code already used (`code_used`), or an unknown, used or "
            "expired `mfa_token`, or one from another client (`mfa_token_invalid`).",
            **schema.ORIGIN_REFUSED, **schema.THROTTLED, **schema.DATABASE,
        },
        auth=schema.PUBLIC,
        sets_cookie=[200],
    )
    def post(self, request):
        form = LoginSecondStepSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return sign_in_response(lambda: second_step.complete(
            mfa_token=form.validated_data["mfa_token"], proof=form.proof(), client=client_info(request),
            trust_device=form.validated_data["trust_device"],
        ))


class LoginSecondStepPasskeyOptionsView(CookieRouteView):
    """``POST /api/auth/login/mfa/passkey/options/``: a passkey as the second step after the password."""

    throttle_classes = [LoginIPThrottle]

    @schema.operation(
        summary="Options for a passkey as a login's second step",
        description="WebAuthn request options for the passkeys of the account whose password was right, bound to "
        "this `mfa_token` (which stays unused). Answer them at `POST /api/auth/login/mfa/` with "
        "`{\"mfa_token\", \"credential\"}`. 400 `no_passkey` when the account has none.",
        request=MfaTokenSerializer,
        responses={200: _OPTIONS},
        errors={
            **schema.BODY_ERRORS, 400: "Invalid input, or the account has no passkey (`no_passkey`).",
            401: "An unknown, used or expired `mfa_token`, or one from another client (`mfa_token_invalid`).",
            **schema.ORIGIN_REFUSED, **schema.THROTTLED,
            503: "The database is unavailable (`service_unavailable`), or the server has no domain for "
            "passkeys (`passkeys_unavailable`).",
        },
        auth=schema.PUBLIC,
    )
    def post(self, request):
        form = MfaTokenSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return Response(
            second_step.passkey_options(mfa_token=form.validated_data["mfa_token"], client=client_info(request))
        )
