"""HTTP for passkeys: the user's own (list, register, rename, remove), passwordless sign-in, re-authentication.

Translation only; the rules live in ``accounts.passkeys.flows``. A WebAuthn
credential travels as the browser's ``PublicKeyCredential`` JSON (binary
fields in base64url), under ``"credential"``.
"""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.api import schema
from accounts.api.base import BearerView, CookieRouteView, sign_in_response, token_body
from accounts.api.reauth import RecentAuthentication
from accounts.api.serializers import LoginResponseSerializer
from accounts.api.step_up import (
    AT_FACTOR_LEVEL,
    RecentAuthenticationAtFactorLevel,
    StepUpAnswers,
)
from accounts.limits.net import client_info
from accounts.limits.throttling import LoginIPThrottle
from accounts.passkeys import flows
from accounts.signin import passkey as passkey_sign_in
from accounts.text import strip_control_characters

_OPTIONS = OpenApiResponse(description="WebAuthn options for the browser (`PublicKeyCredential*OptionsJSON`).")


class CredentialField(serializers.JSONField):
    """A ``PublicKeyCredential`` as JSON: an object; its content is the ceremony's to judge."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not isinstance(value, dict):
            raise serializers.ValidationError(_("Expected the credential object the browser returned."))
        return value


def _name_field(**options):
    return serializers.CharField(max_length=64, trim_whitespace=True, **options)


def _clean_name(value):
    return " ".join(strip_control_characters(value).split())


class PasskeySerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    last_used_at = serializers.DateTimeField(read_only=True, allow_null=True)
    transports = serializers.SerializerMethodField()
    backed_up = serializers.BooleanField(read_only=True)

    def get_transports(self, passkey) -> list[str]:
        return passkey.transports.split()


class RegisterPasskeySerializer(serializers.Serializer):
    credential = CredentialField()
    name = _name_field(required=False, allow_blank=True, default="")

    def validate_name(self, value):
        return _clean_name(value)


class RenamePasskeySerializer(serializers.Serializer):
    name = _name_field()

    def validate_name(self, value):
        value = _clean_name(value)
        if not value:
            raise serializers.ValidationError(_("Give the passkey a name."))
        return value


class PasskeyLoginSerializer(serializers.Serializer):
    credential = CredentialField()
    remember = serializers.BooleanField(
        default=True, help_text="Keep me signed in: false makes the refresh cookie last only as long as the browser."
    )


class PasskeyAssertionSerializer(serializers.Serializer):
    credential = CredentialField()


class PasskeyListView(StepUpAnswers, BearerView):
    """GET: the caller's passkeys. POST: register one (recent authentication), answering the options first asked for."""

    open_before_enrolment = True  # MFA_REQUIRED: registering a passkey is enrolment

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsAuthenticated(), RecentAuthenticationAtFactorLevel()]
        return super().get_permissions()

    @schema.operation(
        summary="My passkeys",
        description="The caller's passkeys: name, when added and last used; never a key.",
        responses={200: PasskeySerializer(many=True)},
        errors={**schema.BEARER_REFUSED, **schema.DATABASE},
    )
    def get(self, request):
        return Response(PasskeySerializer(flows.passkeys_of(request.user), many=True).data)

    @schema.operation(
        summary="Register a passkey",
        description="The authenticator's answer to `POST /api/auth/passkeys/options/` (its challenge is used "
        "once), with an optional name. 400 `passkey_invalid` for an answer that does not verify, "
        "`passkey_limit` past 20 passkeys. Needs a recent "
        "authentication, with a second factor while the account has one.",
        request=RegisterPasskeySerializer,
        responses={201: PasskeySerializer},
        errors={
            **schema.BODY_ERRORS, **schema.BEARER_REFUSED, **AT_FACTOR_LEVEL,
            503: "The database is unavailable (`service_unavailable`), or the server has no domain for passkeys "
            "(`passkeys_unavailable`: no `SITE_URL`, or an IP address).",
        },
    )
    def post(self, request):
        form = RegisterPasskeySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        passkey = flows.register(
            user=request.user, session_id=request.auth.session_id, client=client_info(request),
            **form.validated_data,
        )
        return Response(PasskeySerializer(passkey).data, status=status.HTTP_201_CREATED)


class PasskeyRegistrationOptionsView(StepUpAnswers, BearerView):
    open_before_enrolment = True  # MFA_REQUIRED: registering a passkey is enrolment

    permission_classes = [IsAuthenticated, RecentAuthenticationAtFactorLevel]

    @schema.operation(
        summary="Options to register a passkey",
        description="WebAuthn creation options (a one-time challenge bound to this session) for "
        "`navigator.credentials.create`. Needs a recent "
        "authentication, with a second factor while the account has one.",
        responses={200: _OPTIONS},
        errors={
            **schema.BEARER_REFUSED, **AT_FACTOR_LEVEL,
            503: "The database is unavailable (`service_unavailable`), or the server has no domain for passkeys "
            "(`passkeys_unavailable`: no `SITE_URL`, or an IP address).",
        },
    )
    def post(self, request):
        return Response(flows.registration_options(user=request.user, session_id=request.auth.session_id))


class PasskeyDetailView(StepUpAnswers, BearerView):
    permission_classes = [IsAuthenticated, RecentAuthentication]

    def get_permissions(self):
        # Renaming changes no factor; removing one does.
        if self.request.method == "DELETE":
            return [IsAuthenticated(), RecentAuthenticationAtFactorLevel()]
        return super().get_permissions()

    @schema.operation(
        summary="Rename a passkey",
        description="404 when it is not one of the caller's. Needs a recent authentication.",
        request=RenamePasskeySerializer,
        responses={200: PasskeySerializer},
        errors={
            **schema.BODY_ERRORS, **schema.BEARER_REFUSED, **schema.REAUTHENTICATION,
            404: "Not one of your passkeys (`not_found`).", **schema.DATABASE,
        },
    )
    def patch(self, request, passkey_id):
        form = RenamePasskeySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        passkey = flows.rename(user=request.user, passkey_id=passkey_id, name=form.validated_data["name"])
        return Response(PasskeySerializer(passkey).data)

    @schema.operation(
        summary="Remove a passkey",
        description="The user is mailed. 404 when it is not one of the caller's. Needs a recent "
        "authentication, with a second factor while the account has one.",
        responses={204: None},
        errors={
            **schema.BEARER_REFUSED, **AT_FACTOR_LEVEL, 404: "Not one of your passkeys (`not_found`).",
            **schema.DATABASE,
        },
    )
    def delete(self, request, passkey_id):
        flows.remove(
            user=request.user, passkey_id=passkey_id, session_id=request.auth.session_id, client=client_info(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasskeyLoginOptionsView(CookieRouteView):
    throttle_classes = [LoginIPThrottle]

    @schema.operation(
        summary="Options to sign in with a passkey",
        description="WebAuthn request options (a one-time challenge) for a discoverable credential, for "
        "`navigator.credentials.get`.",
        responses={200: _OPTIONS},
        errors={
            **schema.ORIGIN_REFUSED, **schema.THROTTLED,
            503: "The database is unavailable (`service_unavailable`), or the server has no domain for passkeys "
            "(`passkeys_unavailable`: no `SITE_URL`, or an IP address).",
        },
        auth=schema.PUBLIC,
    )
    def post(self, request):
        return Response(flows.login_options())


class PasskeyLoginView(CookieRouteView):
    throttle_classes = [LoginIPThrottle]

    @schema.operation(
        summary="Sign in with a passkey",
        description="The authenticator's answer to the sign-in options: the same answer and refresh cookie as "
        "a login, with `amr` `[\"hwk\", \"mfa\"]` (the authenticator verified the user). 401 "
        "`passkey_invalid` for an answer that does not verify, a used challenge or an unknown passkey. The same "
        "checks as a password login follow: with `SIGNUP_EMAIL_VERIFICATION=mandatory` an unverified address is "
        "403 `email_unverified`, and a sign-in from a new device is mailed to the owner.",
        request=PasskeyLoginSerializer,
        responses={200: LoginResponseSerializer},
        errors={
            **schema.BODY_ERRORS, 401: "The answer does not verify (`passkey_invalid`).",
            403: "A cross-site request (`origin_not_allowed`), or, with `SIGNUP_EMAIL_VERIFICATION=mandatory`, an "
            "account whose address is not verified yet (`email_unverified`, with `email`).",
            **schema.THROTTLED,
            503: "The database is unavailable (`service_unavailable`), or the server has no domain for passkeys "
            "(`passkeys_unavailable`: no `SITE_URL`, or an IP address).",
        },
        auth=schema.PUBLIC,
        sets_cookie=[200],
    )
    def post(self, request):
        form = PasskeyLoginSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return sign_in_response(
            lambda: passkey_sign_in.log_in(**form.validated_data, client=client_info(request))
        )


class PasskeyReauthenticationOptionsView(BearerView):
    open_before_enrolment = True  # MFA_REQUIRED: part of re-authentication

    throttle_classes = [LoginIPThrottle]

    @schema.operation(
        summary="Options to confirm it is me with a passkey",
        description="WebAuthn request options for the caller's passkeys (a one-time challenge bound to this "
        "session); answer them at `POST /api/auth/reauthenticate/` with `{\"credential\"}`. 400 `no_passkey` "
        "when the caller has none.",
        responses={200: _OPTIONS},
        errors={
            400: "The caller has no passkey (`no_passkey`).", **schema.BEARER_REFUSED, **schema.THROTTLED,
            503: "The database is unavailable (`service_unavailable`), or the server has no domain for passkeys "
            "(`passkeys_unavailable`: no `SITE_URL`, or an IP address).",
        },
    )
    def post(self, request):
        return Response(flows.reauthentication_options(user=request.user, session_id=request.auth.session_id))


def is_passkey_reauthentication(request) -> bool:
    """Whether a ``POST /api/auth/reauthenticate/`` body is a passkey's answer (``{"credential": …}``)."""
    return isinstance(request.data, dict) and "credential" in request.data


def reauthenticate(request) -> Response:
    """``POST /api/auth/reauthenticate/`` with ``{"credential"}``: the answer to the re-authentication options."""
    form = PasskeyAssertionSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    issued = flows.reauthenticate(
        user=request.user, session_id=request.auth.session_id, credential=form.validated_data["credential"],
        client=client_info(request),
    )
    return Response(token_body(issued))
