"""Storage for users, refresh-token sessions and the security audit trail."""
import uuid

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.identity import (
    USERNAME_MAX_LENGTH,
    canonical_username,
    normalized_email,
    normalized_username,
    validate_username,
)
from accounts.limits.admission import HashingBusy


class GatehouseUserManager(UserManager):
    def get_by_natural_key(self, username):
        """Look a user up by the canonical form of the name (the login and ``createsuperuser`` path)."""
        return self.get(username_canonical=canonical_username(username))


class CanonicalUsernameField(models.CharField):
    """``canonical_username(username)``, computed on every write of the row, ``bulk_create`` included."""

    def pre_save(self, model_instance, add):
        value = canonical_username(model_instance.username)
        setattr(model_instance, self.attname, value)
        return value


class User(AbstractUser):
    """Django's user, unique by the canonical form of the name and by the lower-cased email."""

    username = models.CharField(
        "username",
        max_length=USERNAME_MAX_LENGTH,
        unique=True,
        help_text="Letters, digits and @/./+/-/_ only. Compared without regard to case or width.",
        validators=[validate_username],
        error_messages={"unique": _("A user with that username already exists.")},
    )
    # The database refuses two names that differ only in case, width or
    # another compatibility form.
    username_canonical = CanonicalUsernameField(max_length=USERNAME_MAX_LENGTH, unique=True, editable=False)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # Advanced each time an address link is used: every verification and
    # change-of-address link covers it, so a used link never works again, even
    # once the address is back to what it was (accounts/recovery/address_tokens.py).
    email_link_generation = models.PositiveIntegerField(default=0, editable=False)
    # Whether the account has a second factor (accounts/mfa/factors.py keeps it
    # true to what is enrolled): read with the user at login, so an account
    # without one pays no extra query.
    mfa_enabled = models.BooleanField(
        "two-step sign-in", default=False, editable=False,
        help_text="The account has a second factor: a login needs a code after the password.",
    )
    # A code of settings.LANGUAGES, or "" (none saved: the request's language counts).
    language = models.CharField(max_length=16, blank=True, default="")

    objects = GatehouseUserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                condition=~Q(email=""),
                violation_error_message=_("A user with that email address already exists."),
            ),
        ]

    def clean(self):
        super().clean()
        # username_canonical is not a form field, so model validation would
        # skip its uniqueness: check it here, for the admin's forms.
        if not self.username:
            return  # the field's own validation reports it
        others = type(self)._default_manager.filter(username_canonical=canonical_username(self.username))
        if self.pk is not None:
            others = others.exclude(pk=self.pk)
        if others.exists():
            raise ValidationError({"username": _("A user with that username already exists.")})
        if self.email:
            # The admin's forms: stored normalised, so the unique index compares canonical forms.
            try:
                self.email = normalized_email(self.email)
            except ValidationError as error:
                raise ValidationError({"email": error.messages}) from None

    def check_password(self, raw_password):
        """Django's check; a hash made with older parameters is made again, and the sessions survive it.

        A session remembers a fingerprint of the password hash
        (``get_session_auth_hash``), so a new encoding of the same password
        would end every other session of the account: the sessions that
        matched the old hash are moved to the new one in the same transaction.
        The new hash needs a hashing slot of its own (``accounts.limits.admission``):
        with none free, the right password still signs in and the upgrade waits
        for a later login.
        """
        def upgrade(raw):
            before = self.get_session_auth_hash()
            try:
                self.set_password(raw)
            except HashingBusy:  # nothing was changed: the old hash stays
                return
            self._password = None
            with transaction.atomic():
                self.save(update_fields=["password"])
                RefreshSession.objects.filter(user_id=self.pk, password_fingerprint=before).update(
                    password_fingerprint=self.get_session_auth_hash()
                )

        return check_password(raw_password, self.password, upgrade)

    def save(self, *args, **kwargs):
        self.username = normalized_username(self.username)
        if self.email:
            # createsuperuser and scripts: normalised when it can be (what cannot be, the forms refuse).
            try:
                self.email = normalized_email(self.email)
            except ValidationError:
                pass
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "username" in update_fields:
            kwargs["update_fields"] = {*update_fields, "username_canonical"}
        super().save(*args, **kwargs)


class RevocationReason(models.TextChoices):
    LOGOUT = "logout", _("Logged out")
    LOGOUT_ALL = "logout_all", _("Logged out everywhere")
    USER_REVOKED = "user_revoked", _("Revoked by the user")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    USER_DEACTIVATED = "user_deactivated", _("User deactivated")
    ADMIN_REVOKED = "admin_revoked", _("Revoked by an administrator")
    REUSE_DETECTED = "reuse_detected", _("Refresh token reuse detected")
    PASSWORD_RESET = "password_reset", _("Password reset by email")
    LOGOUT_OTHERS = "logout_others", _("Logged out everywhere else")
    ACCOUNT_DELETED = "account_deleted", _("Account deleted")
    PROVIDER_LOGOUT = "provider_logout", _("Signed out at the sign-in provider")
    IDENTITY_UNLINKED = "identity_unlinked", _("Its sign-in provider was unlinked")


class RefreshSessionQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)

    def ended(self, now=None):
        now = now or timezone.now()
        return self.filter(Q(revoked_at__isnull=False) | Q(expires_at__lte=now))


# A session whose latest address is not its sign-in address (or either is unknown).
SESSION_MOVED = ~Q(last_ip_address=F("ip_address"))


class RefreshSession(models.Model):
    """One login on one device: the family of refresh tokens it rotates through.

    No token is stored. The token of generation ``n`` is an HMAC, keyed with a
    server-side key, of (id, n, ``token_seed``); so the current token can be
    recomputed (the grace window answers with it again) while a copy of the
    database alone yields no usable token.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Indexed by session_user_active_idx, which leads with the user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="refresh_sessions", db_index=False
    )
    token_seed = models.CharField(max_length=64, editable=False)
    # The user's get_session_auth_hash() at login, as Django's own sessions
    # keep it: a password set by any means ends every session opened before.
    password_fingerprint = models.CharField(max_length=64, editable=False, default="")
    generation = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(null=True, blank=True)
    # Who did the last rotation: a keyed digest of its user agent and network
    # (IPv4 address or IPv6 /64), never the text. The token just replaced is
    # answered within the grace window only for that client.
    rotated_by_client = models.CharField(max_length=64, editable=False, blank=True, default="")
    grace_answers = models.PositiveIntegerField(
        default=0, help_text="How often the grace window answered the token just replaced with the current one."
    )
    last_grace_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(help_text="When the session ends if it stays unused (idle limit).")
    absolute_expires_at = models.DateTimeField(help_text="When the session ends whatever happens.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=32, choices=RevocationReason.choices, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    last_ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    # The session's last authentication (the login, or a re-authentication):
    # access tokens carry it as auth_time, and amr (how: "pwd", "otp", "hwk").
    authenticated_at = models.DateTimeField(default=timezone.now)
    amr = models.CharField(max_length=64, default="pwd", help_text="Authentication methods, space-separated.")
    persistent = models.BooleanField(
        default=True, help_text='Opened with "keep me signed in": the refresh cookie outlives the browser session.'
    )

    objects = RefreshSessionQuerySet.as_manager()

    class Meta:
        verbose_name = "session"
        ordering = ["-last_used_at"]
        indexes = [
            models.Index(fields=["user", "revoked_at", "expires_at"], name="session_user_active_idx"),
            models.Index(fields=["expires_at"], name="session_expires_idx"),
            # Partial: a live session (revoked_at NULL, nearly every row a
            # login writes or a refresh rewrites) is in neither revoked index.
            # This one serves cleanup_sessions (revoked_at < cutoff).
            models.Index(fields=["revoked_at"], name="session_revoked_idx", condition=Q(revoked_at__isnull=False)),
            # The admin lists newest first (created_at, then id to break ties);
            # its "revoked" filter too, from revoked rows only.
            models.Index(fields=["created_at", "id"], name="session_created_id_idx"),
            models.Index(
                fields=["created_at", "id"], name="session_revoked_created_idx", condition=Q(revoked_at__isnull=False)
            ),
            # The admin's IP search: a prefix is a range of the sign-in
            # address, or of the latest one for the sessions that moved
            # (partial: a login, whose latest address is its sign-in one,
            # does not write it).
            models.Index(fields=["ip_address"], name="session_ip_idx"),
            models.Index(fields=["last_ip_address"], name="session_moved_ip_idx", condition=SESSION_MOVED),
        ]
        permissions = [("revoke_refreshsession", "Can revoke sessions")]

    def __str__(self):
        return f"{self.user_id}/{str(self.id)[:8]}"

    def is_active(self, now=None):
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class SecurityEventKind(models.TextChoices):
    LOGIN_SUCCEEDED = "login_succeeded", _("Login succeeded")
    LOGIN_FAILED = "login_failed", _("Login failed")
    REUSE_DETECTED = "reuse_detected", _("Refresh token reuse detected")
    LOGOUT = "logout", _("Logged out")
    SESSION_REVOKED = "session_revoked", _("Session revoked")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    REGISTERED = "registered", _("Signed up")
    REAUTHENTICATED = "reauthenticated", _("Confirmed it is them again (password or code)")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset requested")
    PASSWORD_RESET = "password_reset", _("Password reset by email")
    MFA_TOTP_ADDED = "mfa_totp_added", _("Authenticator app added")
    MFA_TOTP_REMOVED = "mfa_totp_removed", _("Authenticator app removed")
    MFA_RECOVERY_CODES_CREATED = "mfa_recovery_codes_created", _("Recovery codes generated")
    MFA_RECOVERY_CODE_USED = "mfa_recovery_code_used", _("Recovery code used")
    MFA_RESET = "mfa_reset", _("Two-step sign-in reset by an administrator")
    PERSONAL_TOKEN_CREATED = "personal_token_created", _("Personal access token created")
    PERSONAL_TOKEN_REVOKED = "personal_token_revoked", _("Personal access token revoked")
    EMAIL_VERIFIED = "email_verified", _("Email address verified")
    EMAIL_CHANGE_REQUESTED = "email_change_requested", _("Change of email address requested")
    EMAIL_CHANGED = "email_changed", _("Email address changed")
    # Passkeys (accounts/passkeys/)
    PASSKEY_ADDED = "passkey_added", _("Passkey added")
    PASSKEY_REMOVED = "passkey_removed", _("Passkey removed")
    PASSKEY_SIGN_COUNT_REGRESSED = "passkey_sign_count_regressed", _("Passkey signature counter went back (refused)")
    # The account's own data (accounts/account/)
    USERNAME_CHANGED = "username_changed", _("Username changed")
    DATA_EXPORTED = "data_exported", _("Account data downloaded")
    ACCOUNT_DELETED = "account_deleted", _("Account deleted")
    # Sign-in with other identity providers (accounts/federation/)
    IDENTITY_LINKED = "identity_linked", _("Sign-in provider linked")
    IDENTITY_UNLINKED = "identity_unlinked", _("Sign-in provider unlinked")


class SecurityEvent(models.Model):
    """An append-only audit record: who, which session, from where, when, why."""

    kind = models.CharField(max_length=32, choices=SecurityEventKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # Indexed by event_user_idx, which leads with the user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="security_events",
        db_index=False,
    )
    username = models.CharField(max_length=150, blank=True, help_text="As typed at login, or the user's name then.")
    # No database constraint: the event keeps the session's id after cleanup
    # has deleted the session itself.
    session = models.ForeignKey(
        RefreshSession, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Who did it, when not the user themselves (an administrator).",
    )
    # The personal access token an event is about; like the session, kept
    # after cleanup deleted the token. Not indexed: only an event's own page
    # follows it, and every login writes an event.
    personal_token = models.ForeignKey(
        "accounts.PersonalAccessToken", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        db_index=False, related_name="+",
    )
    reason = models.CharField(max_length=32, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_at"], name="event_created_idx"),
            models.Index(fields=["kind", "created_at"], name="event_kind_idx"),
            models.Index(fields=["user", "created_at"], name="event_user_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.username or self.user_id}) at {self.created_at:%Y-%m-%d %H:%M:%S}"


from accounts.mail.models import OutboxMessage, OutboxStatus  # noqa: E402,F401  (the outbox, in its own module)
from accounts.mfa.models import MfaChallenge, RecoveryCode, TotpDevice  # noqa: E402,F401  (second factors)
from accounts.personal_tokens.models import PersonalAccessToken  # noqa: E402,F401  (personal access tokens)
from accounts.devices.models import KnownDevice, TrustedDevice  # noqa: E402,F401  (signed in from; trusted)
from accounts.passkeys.models import ChallengePurpose, Passkey, PasskeyChallenge  # noqa: E402,F401  (passkeys)
from accounts.email_codes.models import LoginCode  # noqa: E402,F401  (sign-in by email code)
from accounts.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint  # noqa: E402,F401  (webhooks)
from accounts.oidc_provider.models import (  # noqa: E402,F401  (Gatehouse as an OpenID Provider)
    AuthorizationCode, BackchannelLogout, ClientGrant, OAuthClient, OAuthConsent,
)
from accounts.federation.models import (  # noqa: E402,F401  (sign-in with other identity providers)
    FederatedSignIn, FederationState, Identity, PendingFederatedSignIn, Provider, UsedLogoutToken,
)
