"""The live sign-in code of an email address, kept as keyed digests only."""
from django.conf import settings
from django.db import models


class LoginCode(models.Model):
    """The one live sign-in code of an address: a newer code replaces the row, so it ends the older one.

    ``address_digest`` is an HMAC of the address's canonical form and
    ``code_digest`` an HMAC of the code bound to that address digest, both
    keyed from ``DJANGO_SECRET_KEY``: a copy of the table names no address
    and holds no code. An address no active account has gets a row too,
    with no ``user`` (the request does the same work either way); no code is
    ever right for it.
    """

    address_digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    code_digest = models.CharField(max_length=64)
    tries = models.PositiveSmallIntegerField(default=0)  # counted before each check, the right one too
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        app_label = "accounts"
        verbose_name = "sign-in code"
        indexes = [models.Index(fields=["user"], name="login_code_user_idx")]

    def __str__(self):
        return f"sign-in code {self.address_digest[:8]}"
