"""Clients, the user's consents, authorization codes, client grants and back-channel logout deliveries."""
from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.outbox_row import OutboxRow, status_field


class OAuthClient(models.Model):
    """An application that signs its users in through Gatehouse.

    ``secret_digest`` is a keyed digest of a confidential client's secret
    (``accounts.oidc_provider.clients``); a public client (an SPA, a native
    app) has none and must use PKCE, as every client must.
    """

    client_id = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=100, help_text="Shown to users on the consent page and in their account.")
    secret_digest = models.CharField(max_length=64, blank=True, editable=False)
    redirect_uris = models.TextField(help_text="Registered redirect URIs, one a line; matched exactly.")
    post_logout_redirect_uris = models.TextField(blank=True, help_text="One a line; matched exactly.")
    backchannel_logout_uri = models.URLField(max_length=2000, blank=True)
    trusted = models.BooleanField(default=False, help_text="First-party: no consent page.")
    allow_offline_access = models.BooleanField(
        default=True, help_text="May ask for offline_access (a refresh token)."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "accounts"
        verbose_name = "OpenID client"
        ordering = ["client_id"]

    def __str__(self):
        return f"{self.name} ({self.client_id})"

    @property
    def is_public(self) -> bool:
        return not self.secret_digest

    @property
    def redirect_uri_list(self) -> list[str]:
        return [line.strip() for line in self.redirect_uris.splitlines() if line.strip()]

    @property
    def post_logout_redirect_uri_list(self) -> list[str]:
        return [line.strip() for line in self.post_logout_redirect_uris.splitlines() if line.strip()]


class OAuthConsent(models.Model):
    """The scopes a user agreed to give one client: asked again only for more."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oauth_consents")
    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE, related_name="consents")
    scopes = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "accounts"
        verbose_name = "OpenID consent"
        constraints = [models.UniqueConstraint(fields=["user", "client"], name="oauth_consent_user_client_uniq")]

    @property
    def scope_set(self) -> set[str]:
        return set(self.scopes.split())


class AuthorizationCode(models.Model):
    """One authorization code: its SHA-256 digest, never the code; usable once, for a minute.

    ``grant_session`` is the session its exchange opened: a second use of the
    code ends it (RFC 6749 §4.1.2: revoke what the code issued).
    """

    digest = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    browser_session_id = models.UUIDField(help_text="The Gatehouse session the user consented from.")
    redirect_uri = models.CharField(max_length=2000)
    scopes = models.CharField(max_length=200)
    nonce = models.CharField(max_length=500, blank=True)
    code_challenge = models.CharField(max_length=128)
    acr_requested = models.BooleanField(default=False)
    auth_time = models.DateTimeField()
    amr = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    grant_session = models.ForeignKey(
        "accounts.RefreshSession", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        app_label = "accounts"
        verbose_name = "authorization code"
        indexes = [models.Index(fields=["expires_at"], name="oauth_code_expires_idx")]


class ClientGrant(models.Model):
    """A client's grant: one Gatehouse session (1:1), with the client, the scopes and the browser session it came from.

    The session row carries what every session has (rotation, expiry,
    revocation); this row says whose it is. It ends with the browser session
    that consented (logout there is logout here), and every way of ending
    the user's sessions ends it too.
    """

    session = models.OneToOneField(
        "accounts.RefreshSession", primary_key=True, on_delete=models.CASCADE, related_name="client_grant"
    )
    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE, related_name="grants")
    scopes = models.CharField(max_length=200)
    browser_session_id = models.UUIDField(db_index=True)
    offline = models.BooleanField(default=False, help_text="Holds a refresh token (offline_access).")
    logout_queued = models.BooleanField(default=False, help_text="Its back-channel logout was queued.")

    class Meta:
        app_label = "accounts"
        verbose_name = "client grant"
        indexes = [models.Index(fields=["client", "logout_queued"], name="oauth_grant_client_idx")]

    def __str__(self):
        return f"{self.client.name} / {str(self.session_id)[:8]}"


class LogoutStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    DEAD = "dead", "Dead (gave up)"


class BackchannelLogout(OutboxRow):
    """One logout token for one client, from queued to delivered (or dead), written with the session's end.

    The token (``logout_token``) is signed when sent, so a retry carries the
    same ``jti`` but a fresh ``iat``; it names a session and a subject, never
    a credential, so it is kept as claims until then.
    """

    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=64, unique=True)
    subject = models.CharField(max_length=64)
    sid = models.CharField(max_length=64)
    status = status_field(LogoutStatus)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "accounts"
        verbose_name = "back-channel logout"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="oauth_logout_due_idx")]
