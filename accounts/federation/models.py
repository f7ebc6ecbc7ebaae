"""Sign-in providers, the identities they vouch for, and sign-ins in flight.

The client secret is sealed at rest (``accounts.sealing``, its own key and
bound to the provider's slug), as the TOTP and webhook secrets are.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts import sealing

_SECRET_SALT = b"gatehouse.federation"
_SECRET_INFO = b"gatehouse.federation.client-secret.v1"
_VERIFIER_INFO = b"gatehouse.federation.pkce-verifier.v1"


class ProviderKind(models.TextChoices):
    OIDC = "oidc", "OpenID Connect (discovery)"
    GOOGLE = "google", "Google"
    MICROSOFT = "microsoft", "Microsoft Entra ID"
    GITLAB = "gitlab", "GitLab"
    GITHUB = "github", "GitHub"


class Provider(models.Model):
    """An identity provider people may sign in with, configured without a code change.

    ``scopes`` blank means the kind's default; ``issuer`` is blank for
    ``github`` (OAuth 2.0 without discovery). ``trusted_email`` lets a first
    sign-in enter an existing account with the same verified address (both
    sides verified); without it such a sign-in is refused (``account_exists``).
    """

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=16, choices=ProviderKind.choices)
    client_id = models.CharField(max_length=255)
    client_secret_sealed = models.TextField(blank=True, editable=False)
    issuer = models.URLField(max_length=500, blank=True)
    scopes = models.CharField(max_length=500, blank=True, help_text="Space-separated; blank: the kind's default.")
    trusted_email = models.BooleanField(
        default=False,
        help_text="A verified address from this provider may enter an existing account whose address is verified too.",
    )
    allow_signup = models.BooleanField(default=True, help_text="A first sign-in may create an account.")
    domains = models.JSONField(default=list, blank=True, help_text="Lower-case (IDNA) email domains it owns.")
    require_for_domains = models.BooleanField(
        default=False, help_text="Accounts with an address at one of its domains must sign in through it."
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "accounts"
        verbose_name = "sign-in provider"
        ordering = ["name", "slug"]

    def __str__(self):
        return f"{self.name} ({self.slug})"

    def set_client_secret(self, secret: str) -> None:
        """Seal ``secret`` (blank: none, as for a public client)."""
        self.client_secret_sealed = (
            sealing.seal(secret, salt=_SECRET_SALT, info=_SECRET_INFO, associated_data=self._secret_binding())
            if secret else ""
        )

    @property
    def client_secret(self) -> str:
        """The secret in clear, for the token request only; "" when there is none or it does not open."""
        if not self.client_secret_sealed:
            return ""
        try:
            return sealing.unseal(
                self.client_secret_sealed, salt=_SECRET_SALT, info=_SECRET_INFO,
                associated_data=self._secret_binding(),
            )
        except sealing.CannotUnseal:
            return ""

    @property
    def client_secret_opens(self) -> bool | None:
        """Whether the sealed secret opens under this server's ``DJANGO_SECRET_KEY``; None when there is none.

        False means it was sealed under another key (``provider set`` run
        with another ``DJANGO_SECRET_KEY``): set it again.
        """
        if not self.client_secret_sealed:
            return None
        return bool(self.client_secret)

    def _secret_binding(self) -> bytes:
        return f"provider:{self.slug}".encode()

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


class Identity(models.Model):
    """A user's account at a provider: the pair (provider, subject) is what signs in, never the address."""

    # Indexed by identity_user_idx.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identities", db_index=False
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="identities")
    subject = models.CharField(max_length=255)
    email = models.EmailField(max_length=254, blank=True)
    email_verified = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "accounts"
        verbose_name = "linked identity"
        verbose_name_plural = "linked identities"
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="identity_provider_subject_uniq"),
        ]
        indexes = [models.Index(fields=["user", "created_at"], name="identity_user_idx")]

    def __str__(self):
        return f"{self.provider.slug}:{self.subject}"


class FederatedSignIn(models.Model):
    """Which provider session opened a session of ours: what a provider's back-channel logout ends."""

    session = models.OneToOneField(
        "accounts.RefreshSession", on_delete=models.CASCADE, related_name="federated_sign_in"
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=255)
    provider_sid = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "accounts"
        indexes = [
            models.Index(fields=["provider", "subject"], name="fedsignin_subject_idx"),
            models.Index(fields=["provider", "provider_sid"], name="fedsignin_sid_idx"),
        ]


class FederationIntent(models.TextChoices):
    LOGIN = "login", "Sign in (or sign up)"
    LINK = "link", "Link to the signed-in account"
    REAUTHENTICATE = "reauth", "Confirm it is them (re-authentication)"


class FederationState(models.Model):
    """A sign-in sent to a provider and not back yet: state, nonce and PKCE verifier, kept on our side.

    Found by the SHA-256 of the browser's state cookie (HttpOnly, short-lived),
    so only the browser that started can finish; deleting the row is what uses
    it up. The PKCE verifier is sealed, bound to the row's key.
    """

    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    intent = models.CharField(max_length=8, choices=FederationIntent.choices)
    # For a link: the account signed in when it started, and that session.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    session_id = models.UUIDField(null=True, blank=True)
    state = models.CharField(max_length=64)
    nonce = models.CharField(max_length=64)
    code_verifier_sealed = models.TextField()
    redirect_uri = models.CharField(max_length=500)
    next_path = models.CharField(max_length=500, default="/")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        app_label = "accounts"
        verbose_name = "sign-in in flight"

    def seal_verifier(self, verifier: str) -> None:
        self.code_verifier_sealed = sealing.seal(
            verifier, salt=_SECRET_SALT, info=_VERIFIER_INFO, associated_data=self.key_digest.encode()
        )

    @property
    def code_verifier(self) -> str:
        return sealing.unseal(
            self.code_verifier_sealed, salt=_SECRET_SALT, info=_VERIFIER_INFO, associated_data=self.key_digest.encode()
        )


class UsedLogoutToken(models.Model):
    """A back-channel logout token already acted on: its ``jti`` at its provider, kept while it could be replayed.

    The unique pair is what makes a replayed token fail: the second insert of
    one (provider, jti) loses, in any process. Rows past ``expires_at`` are of
    tokens refused by their age anyway (``logout_tokens.MAX_AGE``), so the
    next back-channel logout of the provider deletes them.
    """

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        app_label = "accounts"
        verbose_name = "used logout token"
        constraints = [
            models.UniqueConstraint(fields=["provider", "jti"], name="usedlogouttoken_provider_jti_uniq"),
        ]


class PendingFederatedSignIn(models.Model):
    """A provider sign-in waiting for its second step: which provider session it came from.

    When the second step opens the session (``accounts.signin.second_step``),
    this becomes its ``FederatedSignIn``, so that the provider's back-channel
    logout ends it too. It goes with its challenge (used, expired, swept).
    """

    challenge = models.OneToOneField("accounts.MfaChallenge", on_delete=models.CASCADE, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=255)
    provider_sid = models.CharField(max_length=255, blank=True)

    class Meta:
        app_label = "accounts"
