"""A provider ends one of its sessions: end ours that it opened (OIDC Back-Channel Logout 1.0).

The provider posts a logout token to
``/api/auth/federation/<slug>/backchannel-logout/``. Once the token is valid
(``logout_tokens``) and its ``jti`` was never seen from this provider, every
session of ours that a sign-in through that provider session opened
(``FederatedSignIn``: the token's ``sid``, or every session of its ``sub``
when it names no ``sid``, both when it names both) is revoked as a user's or
admin's revocation is: ``lifecycle.revoke_sessions``, so every process hears
of it (the live-session memory, PostgreSQL's notification) and the next
request with one of their access tokens is refused.

A token naming sessions we do not have is still a success (the provider has
nothing to retry); a token used twice is refused, whatever it names.
"""
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.federation import kinds, logout_tokens, metadata
from accounts.federation.models import FederatedSignIn, UsedLogoutToken
from accounts.models import RefreshSession, RevocationReason
from accounts.sessions import lifecycle


class Replayed(logout_tokens.LogoutTokenInvalid):
    def __init__(self):
        super().__init__("replayed")


class NotSupported(Exception):
    """The provider's kind has no OpenID Connect sessions to end (GitHub: OAuth 2.0 only)."""


def receive(*, provider, logout_token, client) -> int:
    """The back-channel logout route's work: check ``logout_token`` with ``provider``'s metadata, end its sessions.

    Raises ``NotSupported``, ``metadata.Unavailable`` (its keys could not be
    had), ``logout_tokens.LogoutTokenInvalid``.
    """
    kind = kinds.of(provider)
    if not kind.openid:
        raise NotSupported()
    doc = metadata.document(provider)
    return log_out(
        provider=provider, logout_token=logout_token, client=client,
        issuer=lambda claims: kind.expected_issuers(metadata=doc, claims=claims),
        keys=lambda refresh=False: metadata.key_set(doc, refetch=refresh),
        algorithms=doc.get("id_token_signing_alg_values_supported"),
    )


def log_out(*, provider, logout_token, client, issuer, keys, algorithms=None) -> int:
    """Check ``logout_token`` from ``provider`` and end the sessions it names; answers how many ended.

    ``issuer``: the provider's issuer (its discovery document's);
    ``keys(refresh=False)``: its JWKS, fetched again when ``refresh`` (on a
    ``kid`` we do not know; the fetcher limits how often);
    ``algorithms``: its ``id_token_signing_alg_values_supported``, if listed.
    Raises ``logout_tokens.LogoutTokenInvalid`` (``Replayed`` for a used ``jti``).
    """
    def check(jwks):
        return logout_tokens.validate(
            logout_token, jwks=jwks, issuer=issuer, audience=provider.client_id, algorithms=algorithms,
        )

    try:
        claims = check(keys(refresh=False))
    except logout_tokens.UnknownKey:
        claims = check(keys(refresh=True))
    with transaction.atomic():
        _remember(provider, claims)
        return lifecycle.revoke_sessions(
            sessions=sessions_named(provider=provider, subject=claims.subject, sid=claims.sid),
            reason=RevocationReason.PROVIDER_LOGOUT, client=client,
        )


def sessions_named(*, provider, subject="", sid=""):
    """Our sessions opened through ``provider`` for its session ``sid`` and/or its user ``subject``."""
    sign_ins = FederatedSignIn.objects.filter(provider=provider)
    if sid:
        sign_ins = sign_ins.filter(provider_sid=sid)
    if subject:
        sign_ins = sign_ins.filter(subject=subject)
    return RefreshSession.objects.filter(pk__in=sign_ins.values("session_id"))


def _remember(provider, claims) -> None:
    """Record the token's ``jti`` (``Replayed`` if it is there already); forget the provider's expired ones."""
    UsedLogoutToken.objects.filter(provider=provider, expires_at__lte=timezone.now()).delete()
    try:
        with transaction.atomic():
            UsedLogoutToken.objects.create(provider=provider, jti=claims.jti, expires_at=claims.remember_until)
    except IntegrityError:
        raise Replayed() from None
