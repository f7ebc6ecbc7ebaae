"""Devices an account has signed in from (keyed digests), and the browsers trusted to skip a second step."""
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class KnownDevice(models.Model):
    """One device (browser family on an operating system, on an IPv4 /24 or IPv6 /64) a user signed in from.

    Only an HMAC of the device is stored, not the user agent or the address:
    the table says whether a login comes from a familiar device and nothing
    else. ``last_seen_at`` is brought up to date at most once a day, so a
    login from a known device costs one indexed read.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    digest = models.CharField(max_length=64)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "accounts"
        verbose_name = "known device"
        constraints = [
            # Also the index of the login's lookup (user, digest).
            models.UniqueConstraint(fields=["user", "digest"], name="known_device_user_digest_unique"),
        ]

    def __str__(self):
        return f"{self.user_id}/{self.digest[:8]}"


class TrustedDevice(models.Model):
    """A browser whose owner ticked "trust this device" at a second step: its password logins skip that step.

    The browser holds ``<id>.<secret>`` in an HttpOnly cookie; the row holds
    only a keyed digest of it (``accounts.devices.trusted``), the password
    fingerprint of the day it was trusted (a password change or reset ends
    it without another write), and what the owner sees in the list.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trusted_devices", db_index=False
    )
    digest = models.CharField(max_length=64, editable=False)
    password_fingerprint = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)

    class Meta:
        app_label = "accounts"
        verbose_name = "trusted device"
        indexes = [models.Index(fields=["user", "created_at"], name="trusted_device_user_idx")]

    def __str__(self):
        return f"{self.user_id}/{self.pk}"
