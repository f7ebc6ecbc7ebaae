"""Storage for refresh-token sessions and the security audit trail."""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class RevocationReason(models.TextChoices):
    LOGOUT = "logout", "Logged out"
    LOGOUT_ALL = "logout_all", "Logged out everywhere"
    USER_REVOKED = "user_revoked", "Revoked by the user"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    USER_DEACTIVATED = "user_deactivated", "User deactivated"
    ADMIN_REVOKED = "admin_revoked", "Revoked by an administrator"
    REUSE_DETECTED = "reuse_detected", "Refresh token reuse detected"


class RefreshSessionQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)

    def ended(self, now=None):
        now = now or timezone.now()
        return self.filter(Q(revoked_at__isnull=False) | Q(expires_at__lte=now))


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
    expires_at = models.DateTimeField(help_text="When the session ends if it stays unused (idle limit).")
    absolute_expires_at = models.DateTimeField(help_text="When the session ends whatever happens.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=32, choices=RevocationReason.choices, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    last_ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)

    objects = RefreshSessionQuerySet.as_manager()

    class Meta:
        verbose_name = "session"
        ordering = ["-last_used_at"]
        indexes = [
            models.Index(fields=["user", "revoked_at", "expires_at"], name="session_user_active_idx"),
            models.Index(fields=["expires_at"], name="session_expires_idx"),
            models.Index(fields=["revoked_at"], name="session_revoked_idx"),
            # The admin lists newest first (created_at, then id to break ties).
            models.Index(fields=["created_at", "id"], name="session_created_id_idx"),
        ]
        permissions = [("revoke_refreshsession", "Can revoke sessions")]

    def __str__(self):
        return f"{self.user_id}/{str(self.id)[:8]}"

    def is_active(self, now=None):
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class SecurityEventKind(models.TextChoices):
    LOGIN_SUCCEEDED = "login_succeeded", "Login succeeded"
    LOGIN_FAILED = "login_failed", "Login failed"
    REUSE_DETECTED = "reuse_detected", "Refresh token reuse detected"
    LOGOUT = "logout", "Logged out"
    SESSION_REVOKED = "session_revoked", "Session revoked"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    REGISTERED = "registered", "Signed up"


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
