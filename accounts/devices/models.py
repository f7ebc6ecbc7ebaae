"""Devices an account has signed in from, kept as keyed digests."""
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
