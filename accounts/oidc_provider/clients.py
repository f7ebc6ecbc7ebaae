"""Registering clients and authenticating them at the token and revocation endpoints.

A confidential client's secret is kept as its SHA-256 digest: the secret is
long and random (at least 32 characters are required), so a plain digest
gives nothing to guess from, and it does not depend on ``SECRET_KEY`` (which
may be rotated without breaking every client). Compared in constant time.
"""
import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.db import transaction

from accounts.oidc_provider.models import OAuthClient

MIN_SECRET_LENGTH = 32


class ClientAuthFailed(Exception):
    """``invalid_client``: unknown client, wrong secret, a secret sent by a public client, or none by a confidential one."""

    def __init__(self, description="Client authentication failed.", *, basic=False):
        super().__init__(description)
        self.description = description
        self.basic = basic  # answered 401 with WWW-Authenticate: Basic


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_uri(uri: str, *, what=None) -> str:
    """An absolute URI without a fragment (RFC 6749 §3.1.2); http only for loopback, as RFC 8252 allows."""
    what = what or _("redirect URI")
    parts = urlsplit(uri)
    if not parts.scheme or not parts.netloc and parts.scheme in ("http", "https") or parts.fragment or "#" in uri:
        raise ValidationError(_("The %(what)s must be an absolute URI without a fragment: %(uri)s.") % {"what": what, "uri": repr(uri)})
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValidationError(_("The %(what)s must use https (http only on the loopback address): %(uri)s.") % {"what": what, "uri": repr(uri)})
    if any(ord(character) < 33 for character in uri):
        raise ValidationError(_("The %(what)s has a space or a control character: %(uri)s.") % {"what": what, "uri": repr(uri)})
    return uri


@dataclass(frozen=True)
class ClientSettings:
    redirect_uris: list
    name: str = ""
    secret: str | None = None  # None: a public client
    post_logout_redirect_uris: tuple = ()
    backchannel_logout_uri: str = ""
    trusted: bool = False
    allow_offline_access: bool = True


def plausible_client_id(client_id) -> bool:
    """Whether ``client_id`` could be one ``set_client`` accepted: 1 to 100 characters, none below the space.

    Checked before any lookup: a client id comes from the request, and a NUL in it
    would reach PostgreSQL, which refuses NUL in text (a 500 instead of ``invalid_client``).
    """
    return isinstance(client_id, str) and 0 < len(client_id) <= 100 and not any(ord(c) < 33 for c in client_id)


def set_client(client_id: str, config: ClientSettings) -> tuple[OAuthClient, bool]:
    """Create or replace the client ``client_id`` (the command's ``set``); returns (client, created)."""
    if not plausible_client_id(client_id) or ":" in client_id:
        raise ValidationError(_("A client id is 1 to 100 printable characters, without spaces or ':'."))
    if not config.redirect_uris:
        raise ValidationError(_("A client needs at least one redirect URI."))
    for uri in config.redirect_uris:
        check_uri(uri)
    for uri in config.post_logout_redirect_uris:
        check_uri(uri, what=_("post-logout redirect URI"))
    if config.backchannel_logout_uri:
        check_uri(config.backchannel_logout_uri, what=_("back-channel logout URI"))
    if config.secret is not None and len(config.secret) < MIN_SECRET_LENGTH:
        raise ValidationError(_("A client secret must be at least %(length)d characters long.") % {"length": MIN_SECRET_LENGTH})
    with transaction.atomic():
        client, created = OAuthClient.objects.select_for_update().get_or_create(
            client_id=client_id, defaults={"name": config.name or client_id, "redirect_uris": ""}
        )
        client.name = config.name or client.name or client_id
        client.redirect_uris = "\n".join(config.redirect_uris)
        client.post_logout_redirect_uris = "\n".join(config.post_logout_redirect_uris)
        client.backchannel_logout_uri = config.backchannel_logout_uri
        client.trusted = config.trusted
        client.allow_offline_access = config.allow_offline_access
        client.secret_digest = secret_digest(config.secret) if config.secret is not None else ""
        client.active = True
        client.full_clean()
        client.save()
    return client, created


def active_client(client_id) -> OAuthClient | None:
    if not plausible_client_id(client_id):
        return None
    return OAuthClient.objects.filter(client_id=client_id, active=True).first()


def registered_client(client_id) -> OAuthClient | None:
    """The client ``client_id``, active or not; None for an id no client can have."""
    if not plausible_client_id(client_id):
        return None
    return OAuthClient.objects.filter(client_id=client_id).first()


@dataclass(frozen=True)
class Credentials:
    client_id: str
    secret: str | None
    basic: bool


def credentials(*, post, authorization: str) -> Credentials:
    """What a token or revocation request presents (``client_secret_basic``, ``client_secret_post``, or ``none``)."""
    basic = authorization[:6].lower() == "basic "
    if basic:
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
            raw_id, _colon, raw_secret = decoded.partition(":")
            client_id, secret = unquote(raw_id), unquote(raw_secret)
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ClientAuthFailed(basic=True) from None
        if "client_secret" in post:
            raise ClientAuthFailed(_("Use one way of client authentication."), basic=True)
        if post.get("client_id") not in (None, client_id):
            raise ClientAuthFailed(basic=True)
    else:
        client_id, secret = post.get("client_id"), post.get("client_secret")
    if not isinstance(client_id, str) or not client_id:
        raise ClientAuthFailed(basic=basic)
    return Credentials(client_id=client_id, secret=secret or None, basic=basic)


def verify(presented: Credentials, client: OAuthClient | None) -> OAuthClient:
    """``client`` if it is active, is the one ``presented`` names, and the secret is right; ``ClientAuthFailed``."""
    if client is None or not client.active or not hmac.compare_digest(client.client_id.encode(),
                                                                       presented.client_id.encode()):
        raise ClientAuthFailed(basic=presented.basic)
    if client.is_public:
        if presented.secret:  # a public client has no secret: whoever sends one is not who they claim
            raise ClientAuthFailed(_("This client is public: it has no secret."), basic=presented.basic)
        return client
    if not presented.secret or not hmac.compare_digest(secret_digest(presented.secret), client.secret_digest):
        raise ClientAuthFailed(basic=presented.basic)
    return client


def authenticate(presented: Credentials) -> OAuthClient:
    """The client ``presented`` proves to be; ``ClientAuthFailed`` otherwise."""
    return verify(presented, active_client(presented.client_id))
