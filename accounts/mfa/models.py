"""Storage for second factors: the authenticator app, recovery codes and pending second steps.

No secret is stored in the clear: the TOTP secret is encrypted with a key
derived from ``DJANGO_SECRET_KEY`` (``accounts.mfa.crypto``), recovery codes
and ``mfa_token`` values are kept only as keyed digests. A copy of the
database alone yields no code and no token.
"""
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class TotpDevice(models.Model):
    """A user's authenticator app: pending until a first code confirms it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device")
    # "v1.<base64 of nonce + AES-GCM ciphertext>", the user's id as associated data.
    encrypted_secret = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The time step (Unix time // 30) of the last code accepted: a code of
    # that step or an earlier one is refused, so no code works twice.
    last_used_step = models.BigIntegerField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Confirmed while the account's address was not verified: a password reset ends it.
    added_while_unverified = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = "authenticator app"

    def __str__(self):
        return f"authenticator app of {self.user_id}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """One single-use recovery code, as a keyed digest; a set is replaced whole."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes",
                             db_index=False)
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)
    # Made while the account's address was not verified: a password reset ends it.
    added_while_unverified = models.BooleanField(default=False, editable=False)

    class Meta:
        indexes = [models.Index(fields=["user", "digest"], name="recovery_code_user_idx")]

    def __str__(self):
        return f"recovery code of {self.user_id}"


class MfaChallenge(models.Model):
    """A login whose password was right and whose second step is pending (the ``mfa_token``).

    Single-use, short-lived, answerable only to the client that asked (a
    keyed digest of its network and user agent, as the grace window keeps
    it) and only while the user's password is the one it was checked
    against. Kept in the database, which every app server shares.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    client_digest = models.CharField(max_length=64, editable=False)
    password_fingerprint = models.CharField(max_length=64, editable=False)
    remember = models.BooleanField(default=True)
    # How the first step was made ("pwd", or "email" for a mailed code), space-separated: the session's amr
    # starts with it.
    first_methods = models.CharField(max_length=32, default="pwd", editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="mfa_challenge_expires_idx")]

    def __str__(self):
        return f"second step of {self.user_id}"
