"""Create, use and end personal access tokens. Keyword-only functions; views, the admin and signals call them.

Every way of ending a token (its owner, an administrator, a password reset,
deactivation) goes through ``revoke_token`` or ``revoke_user_tokens``, so all
are recorded the same way.
"""
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from accounts import conf
from accounts.audit import record_event
from accounts.mail import outbox
from accounts.models import SecurityEventKind
from accounts.personal_tokens import scopes as token_scopes
from accounts.personal_tokens import tokens
from accounts.personal_tokens.models import NAME_MAX_LENGTH, PersonalAccessToken
from accounts.text import strip_control_characters

MAX_EXPIRY_DAYS = 365
# Live (not revoked) tokens one user may hold: enough for every script, and a
# bound on what a stolen browser session could pile up.
MAX_TOKENS_PER_USER = 50
# Last use is written at most this often per token: a script polling every
# second costs one UPDATE a minute, not one per request.
LAST_USE_RESOLUTION = timedelta(seconds=60)

NAME_TAKEN = _("You already have a token with this name. Choose another, or delete that token first.")


class TokenRejected(Exception):
    """A presented token is not accepted; ``code`` and ``detail`` say why, for the 401."""

    def __init__(self, code, detail):
        super().__init__(detail)
        self.code = code
        self.detail = detail


_INVALID = ("personal_token_invalid", _("The personal access token is not valid."))
_EXPIRED = ("personal_token_expired", _("The personal access token has expired. Create a new one."))
_REVOKED = ("personal_token_revoked", _("The personal access token has been revoked."))


@dataclass(frozen=True)
class CreatedToken:
    """A new token's row, and the token itself: the only moment it exists outside the client."""

    row: PersonalAccessToken
    token: str


def clean_name(name: str) -> str:
    """The name as stored: surrounding spaces removed; refused when empty, too long or holding control characters."""
    cleaned = (name or "").strip()
    if not cleaned:
        raise ValidationError({"name": [_("Give the token a name, such as the script or job that uses it.")]})
    if strip_control_characters(cleaned) != cleaned:
        raise ValidationError({"name": [_("The name cannot contain control characters.")]})
    if len(cleaned) > NAME_MAX_LENGTH:
        raise ValidationError({"name": [_("Use at most %(limit)s characters.") % {"limit": NAME_MAX_LENGTH}]})
    return cleaned


def clean_scopes(names) -> list:
    """The scopes as stored: at least one, each one declared by a route; refused otherwise."""
    if not names:
        raise ValidationError({"scopes": [_("Choose at least one scope: what the token may do.")]})
    try:
        return token_scopes.clean_scopes(names)
    except ValueError as unknown:
        raise ValidationError({"scopes": [_("Unknown scope: %(scope)s.") % {"scope": repr(str(unknown)[:64])}]}) from None


def create_token(*, user, name, expires_in_days, scopes, client, session_id=None) -> CreatedToken:
    """Mint a token for ``user``, record it and mail the owner about it; the token is returned once, never stored."""
    name = clean_name(name)
    scopes = clean_scopes(scopes)
    if not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise ValidationError({"expires_in_days": [_("Choose between 1 and %(limit)s days.") % {"limit": MAX_EXPIRY_DAYS}]})
    live = PersonalAccessToken.objects.not_revoked().filter(user=user)
    if live.filter(name__iexact=name).exists():
        raise ValidationError({"name": [NAME_TAKEN]})
    if live.count() >= MAX_TOKENS_PER_USER:
        raise ValidationError(
            {"name": [_("You have %(count)s tokens already. Delete one you no longer use first.") % {"count": MAX_TOKENS_PER_USER}]}
        )
    now = timezone.now()
    lookup = tokens.new_lookup()
    token = tokens.new_token(lookup)
    row = PersonalAccessToken(
        user=user, name=name, lookup=lookup, digest=tokens.digest(token), created_at=now,
        expires_at=now + timedelta(days=expires_in_days), scopes=scopes,
    )
    try:
        with transaction.atomic():
            row.save(force_insert=True)
            record_event(
                SecurityEventKind.PERSONAL_TOKEN_CREATED, user=user, session_id=session_id, client=client,
                personal_token_id=row.pk,
            )
            _notify_created(user=user, row=row, client=client)
    except IntegrityError:
        # The same name created at the same moment by another request (the
        # constraint decides). A lookup collision has odds of 2**-64 per token.
        raise ValidationError({"name": [NAME_TAKEN]}) from None
    return CreatedToken(row=row, token=token)


def _notify_created(*, user, row, client) -> None:
    """Tell the owner by mail: a token they did not make is the sign of a taken-over session."""
    if not user.email:
        return
    outbox.enqueue(
        to=user.email,
        template="personal_token_created",
        context={
            "user": user,
            "name": row.name,
            "prefix": row.prefix,
            "expires_at": row.expires_at,
            "when": row.created_at,
            "ip_address": client.ip_address if client else None,
            "site_url": conf.site_url() or "",
        },
    )


def tokens_of(user):
    """The owner's tokens that were not revoked (expired ones included, flagged by their date), newest first."""
    return PersonalAccessToken.objects.not_revoked().filter(user=user).order_by("-created_at", "-id")


def revoke_token(*, token, reason, actor=None, client=None) -> bool:
    """End one token; False when it was revoked already."""
    now = timezone.now()
    with transaction.atomic():
        revoked = (
            PersonalAccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True)
            .update(revoked_at=now, revoked_reason=reason)
        )
        if revoked:
            token.revoked_at, token.revoked_reason = now, reason
            record_event(
                SecurityEventKind.PERSONAL_TOKEN_REVOKED, user=token.user, actor=actor, reason=reason,
                client=client, personal_token_id=token.pk,
            )
    return bool(revoked)


def revoke_user_tokens(*, user, reason, actor=None, client=None) -> int:
    """End every token of ``user`` not revoked yet (expired ones too, so none comes back); returns how many."""
    now = timezone.now()
    with transaction.atomic():
        revoked = (
            PersonalAccessToken.objects.not_revoked().filter(user=user).update(revoked_at=now, revoked_reason=reason)
        )
        if revoked:
            record_event(SecurityEventKind.PERSONAL_TOKEN_REVOKED, user=user, actor=actor, reason=reason, client=client)
    return revoked


def authenticate(*, raw_token, now=None) -> PersonalAccessToken:
    """The live token ``raw_token`` names, with its active user, in one query; raises ``TokenRejected``.

    Only a token whose digest matches learns why it is refused (expired,
    revoked); anything else gets one answer.
    """
    lookup = tokens.lookup_of(raw_token)
    if lookup is None:
        raise TokenRejected(*_INVALID)
    try:
        row = PersonalAccessToken.objects.select_related("user").get(lookup=lookup)
    except PersonalAccessToken.DoesNotExist:
        raise TokenRejected(*_INVALID) from None
    if not tokens.matches(row.digest, raw_token):
        raise TokenRejected(*_INVALID)
    if not row.user.is_active:
        raise TokenRejected(*_INVALID)
    now = now or timezone.now()
    if row.revoked_at is not None:
        raise TokenRejected(*_REVOKED)
    if row.expires_at <= now:
        raise TokenRejected(*_EXPIRED)
    return row


def record_use(*, token, ip_address, now=None) -> None:
    """Note when and from where a token was last used, at most once per ``LAST_USE_RESOLUTION``.

    The row just read says whether a write is due; the UPDATE's own condition
    keeps concurrent requests (other processes) from writing again.
    """
    now = now or timezone.now()
    cutoff = now - LAST_USE_RESOLUTION
    if token.last_used_at is not None and token.last_used_at > cutoff:
        return
    written = (
        PersonalAccessToken.objects.filter(pk=token.pk)
        .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=cutoff))
        .update(last_used_at=now, last_used_ip=ip_address)
    )
    if written:
        token.last_used_at, token.last_used_ip = now, ip_address
