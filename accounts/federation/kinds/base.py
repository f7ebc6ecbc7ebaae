"""The interface of a provider kind, and the OpenID Connect behaviour most kinds share."""
import dataclasses

from accounts.text import strip_control_characters


@dataclasses.dataclass(frozen=True)
class Person:
    """Who the provider says signed in: ``subject`` is what an identity is keyed on, never the address."""

    subject: str
    email: str = ""
    email_verified: bool = False
    name: str = ""
    username_hint: str = ""


class Refused(Exception):
    """The provider's answer cannot be used; ``reason`` is for the log, never for the user."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Kind:
    """An OpenID Connect provider found by discovery at ``<issuer>/.well-known/openid-configuration``.

    Subclasses change the default issuer, the scopes, how the ``iss`` of an
    ID token is matched (Entra ID's varies by tenant) and how claims become
    a ``Person``.
    """

    name = "oidc"
    label = "OpenID Connect"
    openid = True  # an ID token is expected (and required) from the token endpoint
    # Whether it can be asked for a fresh sign-in and says when it happened (prompt=login, max_age, auth_time):
    # what "Confirm it's you" through it needs. A provider that cannot would vouch for an old session.
    confirms_presence = True
    default_scopes = ("openid", "email", "profile")
    default_issuer = ""
    # Where the app is registered and what the docs say (docs/federation.md has the steps).
    registration_hint = "your provider's client registration"

    def issuer(self, provider) -> str:
        """The issuer whose discovery document is read (``provider.issuer``, or the kind's own)."""
        return (provider.issuer or self.default_issuer).rstrip("/")

    def check_configuration(self, *, issuer: str) -> None:
        """ValueError when a provider of this kind cannot work with ``issuer``."""
        if not issuer:
            raise ValueError("An OpenID Connect provider needs --issuer (its discovery lives under it).")
        if not issuer.startswith(("https://", "http://127.0.0.1:", "http://localhost:")):
            raise ValueError("The issuer must be an https:// URL.")

    def discovered_issuer_ok(self, *, configured: str, discovered: str) -> bool:
        """OpenID Connect Discovery 4.3: the document's ``issuer`` is exactly the one it was fetched for."""
        return discovered.rstrip("/") == configured.rstrip("/")

    def scopes(self, provider) -> list[str]:
        scopes = provider.scope_list or list(self.default_scopes)
        if self.openid and "openid" not in scopes:
            scopes.insert(0, "openid")
        return scopes

    def expected_issuers(self, *, metadata: dict, claims: dict) -> list[str]:
        """The ``iss`` values an ID token of this provider may carry: the discovery document's issuer."""
        return [metadata["issuer"]]

    def authorization_response_issuer_ok(self, *, metadata: dict, iss: str) -> bool:
        """RFC 9207: whether the ``iss`` of the authorization response names this provider."""
        return iss == metadata["issuer"]

    def person(self, *, claims: dict, userinfo: dict | None = None, api=None, access_token=None) -> Person:
        """The person the verified ID token (and the userinfo answer, when asked) describes."""
        merged = {**(userinfo or {}), **claims} if userinfo and userinfo.get("sub") == claims.get("sub") else claims
        return Person(
            subject=str(claims["sub"]),
            email=_address(merged.get("email")),
            email_verified=self.email_verified(merged),
            name=_text(merged.get("name")),
            username_hint=_text(merged.get("preferred_username") or merged.get("nickname")),
        )

    def email_verified(self, claims: dict) -> bool:
        # Only a JSON true counts ("true" as a string is a provider bug that must not verify an address).
        return claims.get("email_verified") is True


def _text(value) -> str:
    """A name from the provider, as its user typed it: without control characters (PostgreSQL refuses NUL)."""
    return strip_control_characters(value).strip()[:150] if isinstance(value, str) else ""


def _address(value) -> str:
    """The provider's address, or "" when it is none or holds a control character (no real address does)."""
    if not isinstance(value, str) or strip_control_characters(value) != value:
        return ""
    return value
