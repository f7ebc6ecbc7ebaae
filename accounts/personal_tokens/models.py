"""Storage for personal access tokens: the public lookup id and a keyed digest, never the token."""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 100


class PersonalAccessTokenQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)

    def not_revoked(self):
        return self.filter(revoked_at__isnull=True)


class PersonalAccessToken(models.Model):
    """One named token of one user.

    ``lookup`` is the token's public part (``gat_<lookup>_<secret>``), so that
    authentication finds the row with one indexed query; ``digest`` is
    HMAC-SHA256 of the whole token under a key derived from ``SECRET_KEY``
    (``accounts.personal_tokens.tokens``). A copy of the database alone
    yields no usable token.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Indexed by pat_user_revoked_idx, which leads with the user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_tokens", db_index=False
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH, help_text="The owner's label for the token.")
    lookup = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=32, blank=True)
    # Names of ``accounts.personal_tokens.scopes.Scope``s, sorted; a route asks for one (``token_scope``).
    scopes = models.JSONField(default=list, blank=True, help_text="What the token may do: the scopes it was given.")

    objects = PersonalAccessTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "personal access token"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "revoked_at", "expires_at"], name="pat_user_revoked_idx"),
            models.Index(fields=["created_at", "id"], name="pat_created_id_idx"),
            # cleanup_sessions deletes ended tokens by either column.
            models.Index(fields=["expires_at"], name="pat_expires_idx"),
            models.Index(fields=["revoked_at"], name="pat_revoked_idx"),
        ]
        constraints = [
            # Names tell a user's tokens apart: unique among those not revoked.
            models.UniqueConstraint(
                Lower("name"), "user", condition=Q(revoked_at__isnull=True), name="pat_user_name_unique",
                violation_error_message=_("You already have a token with this name."),
            ),
        ]
        permissions = [("revoke_personalaccesstoken", "Can revoke personal access tokens")]

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    @property
    def prefix(self) -> str:
        """The token's public start, ``gat_<lookup>``: enough to recognise it in a log, useless without the rest."""
        from accounts.personal_tokens.tokens import public_prefix

        return public_prefix(self.lookup)

    def has_scope(self, name: str) -> bool:
        return name in (self.scopes or [])

    @property
    def scope_string(self) -> str:
        """The scopes as RFC 6749 writes them: names separated by spaces."""
        return " ".join(self.scopes or [])

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now
