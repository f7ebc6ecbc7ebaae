"""Passkeys and the WebAuthn challenges waiting for an answer."""
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Passkey(models.Model):
    """One WebAuthn credential of a user: its id, public key and signature counter.

    Nothing here is a secret: the private key never leaves the authenticator.
    The public key is kept out of every list all the same (it is of no use to
    a reader, and long).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Indexed by passkey_user_idx, which leads with the user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passkeys", db_index=False
    )
    # base64url without padding, as the browser and the WebAuthn JSON spell it
    # (a credential id is at most 1023 bytes).
    credential_id = models.CharField(max_length=1366, unique=True, editable=False)
    # The COSE public key the authenticator gave at registration.
    public_key = models.BinaryField(editable=False)
    # The authenticator's signature counter (0 for ones that keep none, such as synced passkeys).
    sign_count = models.PositiveBigIntegerField(default=0, editable=False)
    # The WebAuthn user handle the authenticator stored with the credential
    # (base64url; random, the same for all passkeys of a user, never the user's id).
    user_handle = models.CharField(max_length=128, editable=False)
    transports = models.CharField(max_length=128, blank=True, editable=False, help_text="Space-separated.")
    aaguid = models.CharField(
        "AAGUID", max_length=36, blank=True, editable=False, help_text="The authenticator model, when it says."
    )
    backed_up = models.BooleanField(
        default=False, editable=False, help_text="A synced passkey (backed up by its provider)."
    )
    name = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Registered while the account's address was not verified: a password reset ends it.
    added_while_unverified = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["user", "created_at"], name="passkey_user_idx")]

    def __str__(self):
        return self.name


class ChallengePurpose(models.TextChoices):
    REGISTER = "register", "Register a passkey"
    LOGIN = "login", "Sign in with a passkey"
    REAUTHENTICATE = "reauth", "Re-authenticate with a passkey"
    SECOND_STEP = "second_step", "A passkey as the second step of a login"


class PasskeyChallenge(models.Model):
    """A challenge handed to a browser, answerable once, for one purpose, until ``expires_at``.

    Stored as the SHA-256 of the challenge: the row is found from the
    challenge the authenticator signed, and deleting it is what uses it up.
    """

    digest = models.CharField(max_length=64, primary_key=True)
    purpose = models.CharField(max_length=16, choices=ChallengePurpose.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # What else the answer must come with: this session (register,
    # re-authenticate) or the caller's two-step login attempt.
    binding = models.CharField(max_length=64, blank=True)
    # Registration: the user handle the options gave the authenticator.
    user_handle = models.CharField(max_length=128, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "passkey challenge"
