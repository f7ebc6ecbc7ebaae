"""Request validation and response shapes; no business logic here."""
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.identity import (
    EMAIL_TAKEN,
    USERNAME_TAKEN,
    email_taken,
    normalized_email,
    normalized_username,
    username_taken,
    validate_username,
)
from accounts.mfa import policy
from accounts.useragent import describe

User = get_user_model()

_PASSWORD_MAX = 4096
# What a request may send before normalisation; the limit that counts is
# checked on the normalised name (accounts.identity).
_USERNAME_INPUT_MAX = 600


def _password_field():
    return serializers.CharField(max_length=_PASSWORD_MAX, trim_whitespace=False, write_only=True)


def _check_password_rules(password, user):
    try:
        validate_password(password, user)
    except DjangoValidationError as error:
        raise serializers.ValidationError(list(error.messages)) from None
    return password


def normalized_email_value(value):
    """An address as stored (``accounts.identity.normalized_email``), or the field's 400 with one clear message.

    Django's validator lets a quoted local part hold control characters
    (``"a\x01"@b.example``) and a domain hold invisible ones; both are refused there.
    """
    try:
        return normalized_email(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError(list(error.messages)) from None


class EmailAddressField(serializers.EmailField):
    """An email address, answered in its normalised form: every form that takes one uses this field."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return normalized_email_value(super().to_internal_value(data))


_DATE_TIME = serializers.DateTimeField(read_only=True)


class UserSerializer(serializers.Serializer):
    # Declared rather than a ModelSerializer: it is on the login hot path, and
    # a ModelSerializer introspects the model on every instantiation.
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)
    is_staff = serializers.BooleanField(read_only=True)
    date_joined = serializers.DateTimeField(read_only=True)
    email_verified = serializers.BooleanField(read_only=True)
    mfa_enrollment_required = serializers.BooleanField(
        read_only=True, help_text="MFA_REQUIRED asks this account for a second factor it does not have yet: until "
        "one is enrolled, routes other than enrolment answer 403 `mfa_enrollment_required`.",
    )
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    language = serializers.CharField(read_only=True, help_text='The saved language code, or "" (none saved).')
    has_password = serializers.BooleanField(
        read_only=True, help_text="A usable password is set. False for an account made through a sign-in provider "
        "(or whose password a first sign-in with a mailed code removed): it sets one through the reset mail "
        "(`POST /api/auth/password-reset/`), not with `POST /api/auth/password/`.",
    )

    def to_representation(self, user):
        # Every login and every /me/: the declared fields' output, without
        # deep-copying and binding the five fields on each call.
        return {
            "id": int(user.id),
            "username": str(user.username),
            "email": str(user.email),
            "is_staff": bool(user.is_staff),
            "date_joined": _DATE_TIME.to_representation(user.date_joined),
            "email_verified": user.email_verified_at is not None,
            "mfa_enrollment_required": policy.enrolment_required(user),
            "first_name": str(user.first_name),
            "last_name": str(user.last_name),
            "language": str(user.language),
            "has_password": user.has_usable_password(),
        }


class RegisterResponseSerializer(UserSerializer):
    verification_sent = serializers.BooleanField(
        read_only=True, help_text="A mail with a link to confirm the address was sent: tell the user to check it."
    )


class StaffUserSerializer(serializers.ModelSerializer):
    active_sessions = serializers.IntegerField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "email", "is_staff", "is_active", "date_joined", "active_sessions"]
        read_only_fields = fields


class SessionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    ip_address = serializers.IPAddressField(source="last_ip_address", allow_null=True)
    user_agent = serializers.CharField()
    device = serializers.SerializerMethodField(help_text='The device as people name it ("Chrome on macOS").')
    device_kind = serializers.SerializerMethodField(help_text="phone, tablet, desktop or other.")
    current = serializers.SerializerMethodField()

    def get_current(self, session) -> bool:
        return session.pk == self.context["current_session_id"]

    # The server's one reading of user agents (accounts.useragent), so the app parses none.
    def get_device(self, session) -> str:
        return describe(session.user_agent).label

    def get_device_kind(self, session) -> str:
        return describe(session.user_agent).kind


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(
        max_length=254, trim_whitespace=False, help_text="The username, or the account's email address."
    )
    password = _password_field()
    remember = serializers.BooleanField(
        default=True, help_text="Keep me signed in: false makes the refresh cookie last only as long as the browser."
    )


class PasswordChangeSerializer(serializers.Serializer):
    current_password = _password_field()
    new_password = _password_field()

    def validate_new_password(self, value):
        return _check_password_rules(value, self.context["user"])


_CODE_MAX = 64


def code_field(**options):
    """A second-factor code as typed: 6 digits, or a recovery code (``xxxxx-xxxxx``)."""
    return serializers.CharField(max_length=_CODE_MAX, trim_whitespace=True, **options)


class ReauthenticateSerializer(serializers.Serializer):
    """The password, or a code of the account's second factor: exactly one of them."""

    password = serializers.CharField(max_length=_PASSWORD_MAX, trim_whitespace=False, write_only=True, required=False)
    code = code_field(required=False, write_only=True)

    def validate(self, attrs):
        if "password" in attrs and "code" in attrs:
            raise serializers.ValidationError(_("Send the password or a code, not both."))
        if "password" not in attrs and "code" not in attrs:
            raise serializers.ValidationError({"password": [_("This field is required.")]})
        return attrs


class RegisterSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=_USERNAME_INPUT_MAX)
    email = EmailAddressField()
    password = _password_field()

    def validate_username(self, value):
        try:
            validate_username(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(list(error.messages)) from None
        if username_taken(value):
            raise serializers.ValidationError(USERNAME_TAKEN)
        return normalized_username(value)

    def validate_email(self, value):
        if email_taken(value):
            raise serializers.ValidationError(EMAIL_TAKEN)
        return value

    def validate(self, attrs):
        candidate = User(username=attrs["username"], email=attrs["email"])
        try:
            _check_password_rules(attrs["password"], candidate)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({"password": error.detail}) from None
        return attrs


class TokenResponseSerializer(serializers.Serializer):
    access = serializers.CharField()
    token_type = serializers.CharField()
    expires_in = serializers.IntegerField()


class LoginResponseSerializer(TokenResponseSerializer):
    user = UserSerializer()


class IntrospectionSerializer(serializers.Serializer):
    # No length limit: an overlong token is an inactive one, not a bad request.
    token = serializers.CharField(trim_whitespace=False, allow_blank=True, help_text="The access token to ask about.")
    token_type_hint = serializers.CharField(
        required=False, allow_blank=True, help_text="Accepted and ignored (RFC 7662 §2.1)."
    )


class IntrospectionResponseSerializer(serializers.Serializer):
    """RFC 7662 §2.2: only ``active`` when the token is not a live session's access token."""

    active = serializers.BooleanField()
    sub = serializers.CharField(required=False, help_text="The user's id.")
    sid = serializers.UUIDField(required=False, help_text="The session the token belongs to.")
    exp = serializers.IntegerField(required=False)
    iat = serializers.IntegerField(required=False)
    iss = serializers.CharField(required=False)
    aud = serializers.CharField(required=False)
    jti = serializers.CharField(required=False)
    token_type = serializers.CharField(required=False)
    username = serializers.CharField(required=False)
    auth_time = serializers.IntegerField(
        required=False, help_text="When the token's session last authenticated (login or re-authentication)."
    )
    amr = serializers.ListField(
        child=serializers.CharField(), required=False,
        help_text='How it authenticated then (RFC 8176), e.g. ["pwd"], ["pwd", "otp"], ["hwk", "mfa"].',
    )


class SecondStepRequiredSerializer(serializers.Serializer):
    mfa_required = serializers.BooleanField(help_text="Always true: the login needs its second step.")
    mfa_token = serializers.CharField(help_text="Opaque, single-use, for POST /api/auth/login/mfa/ from this client.")
    methods = serializers.ListField(child=serializers.CharField(), help_text='e.g. ["totp", "recovery_code"]')
    expires_in = serializers.IntegerField(help_text="Seconds the mfa_token stays valid.")
