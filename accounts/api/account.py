"""HTTP for the account's own data: the profile, signing out elsewhere, the export, deleting the account.

The flows live in ``accounts/account/``; here are the answers. ``MeView``
extends the "who am I" view with PATCH and DELETE: reading stays open to a
personal token, changing and deleting never are.
"""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.account import deletion, export, profile
from accounts.api import schema
from accounts.api.cookies import clear_token_cookies
from accounts.api.exceptions import error_body
from accounts.api.reauth import RecentAuthentication
from accounts.api.serializers import UserSerializer
from accounts.api.step_up import (
    AT_FACTOR_LEVEL,
    RecentAuthenticationAtFactorLevel,
    StepUpAnswers,
)
from accounts.api.views import BearerView
from accounts.api.views import MeView as ReadMeView
from accounts.limits.net import client_info
from accounts.models import RevocationReason
from accounts.personal_tokens import scopes as token_scopes
from accounts.sessions import lifecycle


class ProfileSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=600)
    first_name = serializers.CharField(max_length=profile.NAME_MAX_LENGTH, allow_blank=True)
    last_name = serializers.CharField(max_length=profile.NAME_MAX_LENGTH, allow_blank=True)
    language = serializers.CharField(max_length=16, allow_blank=True, help_text='A code of `GET /api/auth/languages/` '
                                     '(settings.LANGUAGES), or "" for none.')

    def validate_username(self, value):
        try:
            return profile.check_username(value, user=self.context["user"])
        except DjangoValidationError as error:
            raise serializers.ValidationError(list(error.messages)) from None

    def validate_language(self, value):
        try:
            return profile.check_language(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(list(error.messages)) from None


class AccountExportSerializer(serializers.Serializer):
    """The export's sections (``accounts/account/export.py``): metadata only, never a secret or a digest."""

    format = serializers.CharField(help_text="`gatehouse-account-export/1`.")
    exported_at = serializers.DateTimeField()
    profile = serializers.DictField()
    sessions = serializers.ListField(child=serializers.DictField())
    security_events = serializers.ListField(child=serializers.DictField())
    authenticator_app = serializers.DictField(allow_null=True)
    recovery_codes = serializers.ListField(child=serializers.DictField(), help_text="Dates only, never a code.")
    passkeys = serializers.ListField(child=serializers.DictField())
    personal_tokens = serializers.ListField(child=serializers.DictField(), help_text="Name, prefix and dates.")
    known_devices = serializers.ListField(child=serializers.DictField())
    administrator_actions = serializers.ListField(child=serializers.DictField())
    mail = serializers.ListField(child=serializers.DictField(), help_text="Subject, status and dates; never a body.")


_LAST_SUPERUSER = {
    400: "The account is the last active superuser (`last_superuser`): make another superuser first.",
}


class MeView(StepUpAnswers, ReadMeView):
    """Who am I (GET, also with a personal token), change my profile (PATCH), delete my account (DELETE)."""

    # MFA_REQUIRED: a session held to enrolment reads who it is, and changes nothing else here.
    open_before_enrolment = frozenset({"GET", "HEAD"})
    # A personal token may read ``me`` (its scope, as the read-only view declares), never change or delete it.
    token_scope = {"GET": token_scopes.PROFILE_READ, "HEAD": token_scopes.PROFILE_READ}

    def get_permissions(self):
        if self.request.method == "DELETE":
            # The account's highest level: a second factor, while it has one.
            return [IsAuthenticated(), RecentAuthenticationAtFactorLevel()]
        return super().get_permissions()

    @schema.operation(
        summary="Change my profile",
        description="Any of `username` (needs a recent authentication; unique in its canonical form, as at sign-up; "
        "the owner is mailed and a `username_changed` event recorded), `first_name`, `last_name`, `language` (one of "
        "the site's languages, or \"\" for none). Answers the user.",
        request=ProfileSerializer(partial=True),
        responses={200: UserSerializer},
        errors={**schema.BODY_ERRORS, **schema.BEARER_REFUSED, **schema.REAUTHENTICATION, **schema.DATABASE},
    )
    def patch(self, request):
        # Before the fields are checked: an old session learns nothing, not even whether a name is taken.
        asked = request.data.get("username") if isinstance(request.data, dict) else None
        if asked is not None and asked != request.user.username:
            RecentAuthentication().has_permission(request, self)
        form = ProfileSerializer(data=request.data, partial=True, context={"user": request.user})
        form.is_valid(raise_exception=True)
        changes = form.validated_data
        try:
            profile.update_profile(
                user=request.user, client=client_info(request), session_id=request.auth.session_id, **changes
            )
        except profile.UsernameTaken:
            raise ValidationError({"username": [profile.USERNAME_TAKEN]}) from None
        return Response(UserSerializer(request.user).data)

    @schema.operation(
        summary="Delete my account",
        description="Deletes the caller's account in one transaction: sessions (every device is signed out), "
        "personal tokens, factors, passkeys, devices, mail queued to it, the user. Its security events stay under a "
        "pseudonym, without name, address, IP or user agent. A notice goes to the address. Needs a recent "
        "authentication, with a second factor while the account has one. Clears the refresh cookie.",
        responses={204: None},
        errors={**schema.BEARER_REFUSED, **AT_FACTOR_LEVEL, **_LAST_SUPERUSER, **schema.DATABASE},
        sets_cookie=[204],
    )
    def delete(self, request):
        try:
            deletion.delete_account(user=request.user)
        except deletion.LastSuperuser:
            return Response(
                error_body(_("You are the last superuser: make another superuser before deleting this account."),
                           "last_superuser"),
                status=status.HTTP_400_BAD_REQUEST,
            )
        except deletion.AccountGone:
            pass  # deleted meanwhile: what was asked is done
        response = Response(status=status.HTTP_204_NO_CONTENT)
        clear_token_cookies(response)
        return response


class LogoutOthersView(BearerView):
    @schema.operation(
        summary="Log out everywhere else",
        description="End every session of the caller but this one; this device stays signed in.",
        responses={204: None},
        errors={**schema.BEARER_REFUSED, **schema.DATABASE},
    )
    def post(self, request):
        lifecycle.revoke_user_sessions(
            user=request.user, reason=RevocationReason.LOGOUT_OTHERS, client=client_info(request),
            keep_session_id=request.auth.session_id,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExportView(BearerView):
    permission_classes = [IsAuthenticated, RecentAuthentication]

    @schema.operation(
        summary="Download my data",
        description="One JSON document of everything kept about the caller: profile, sessions, security events, "
        "factors and passkeys (names and dates), personal tokens (name, prefix, dates), known devices (dates), mail "
        "sent to the address (subject and dates). Never a secret, a digest or a mail body. Needs a recent "
        "authentication. Sent as an attachment.",
        responses={200: AccountExportSerializer},
        errors={**schema.BEARER_REFUSED, **schema.REAUTHENTICATION, **schema.DATABASE},
    )
    def get(self, request):
        document = export.export(user=request.user, client=client_info(request), session_id=request.auth.session_id)
        response = JsonResponse(document, json_dumps_params={"indent": 2})
        stamp = timezone.now().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="gatehouse-account-{request.user.pk}-{stamp}.json"'
        return response
