"""HTTP for second factors: the authenticator app, recovery codes, and a login's second step."""
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.api.reauth import RecentAuthentication
from accounts.api.serializers import code_field
from accounts.api.views import BearerView, CookieRouteView, login_response
from accounts.limits.net import client_info
from accounts.limits.throttling import LoginIPThrottle
from accounts.mfa import challenges, factors, recovery_codes, totp


class CodeSerializer(serializers.Serializer):
    code = code_field()


class LoginSecondStepSerializer(serializers.Serializer):
    mfa_token = serializers.CharField(max_length=256, trim_whitespace=True)
    code = code_field(help_text="A code from the authenticator app, or a recovery code.")


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
    @extend_schema(responses=MfaStatusSerializer)
    def get(self, request):
        return Response(MfaStatusSerializer(factors.summary(request.user)).data)


class TotpView(BearerView):
    permission_classes = [IsAuthenticated, RecentAuthentication]

    @extend_schema(request=None, responses={200: TotpEnrolmentSerializer, 403: OpenApiResponse(), 409: OpenApiResponse()})
    def post(self, request):
        enrolment = totp.begin_enrolment(user=request.user)
        return Response(TotpEnrolmentSerializer(enrolment).data)

    @extend_schema(responses={204: None, 403: OpenApiResponse(), 404: OpenApiResponse()})
    def delete(self, request):
        totp.remove(user=request.user, client=client_info(request), session_id=request.auth.session_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TotpConfirmView(BearerView):
    throttle_classes = [LoginIPThrottle]

    @extend_schema(request=CodeSerializer, responses={200: RecoveryCodesSerializer, 400: OpenApiResponse()})
    def post(self, request):
        form = CodeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        codes = totp.confirm_enrolment(
            user=request.user, code=form.validated_data["code"], client=client_info(request),
            session_id=request.auth.session_id,
        )
        return Response({"recovery_codes": codes})


class RecoveryCodesView(BearerView):
    permission_classes = [IsAuthenticated, RecentAuthentication]

    @extend_schema(request=None, responses={200: RecoveryCodesSerializer, 403: OpenApiResponse(), 409: OpenApiResponse()})
    def post(self, request):
        codes = recovery_codes.regenerate(
            user=request.user, client=client_info(request), session_id=request.auth.session_id
        )
        return Response({"recovery_codes": codes})


class LoginSecondStepView(CookieRouteView):
    """``POST /api/auth/login/mfa/``: the code after the password; the same answer and cookie as a login."""

    throttle_classes = [LoginIPThrottle]

    @extend_schema(
        request=LoginSecondStepSerializer,
        responses={200: OpenApiResponse(description="As a login: token body, user, refresh cookie."),
                   401: OpenApiResponse(description="code_invalid or mfa_token_invalid"), 429: OpenApiResponse()},
    )
    def post(self, request):
        form = LoginSecondStepSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        issued = challenges.complete(
            mfa_token=form.validated_data["mfa_token"], proof={"code": form.validated_data["code"]},
            client=client_info(request),
        )
        return login_response(issued)
