"""The ``mfa_token`` between a right password and the second step of a login.

A right password on an account with a second factor opens no session: it
issues an opaque ``mfa_token`` (256 random bits), stored only as a keyed
digest, that lives at most ``MFA_TOKEN_TTL`` (5 minutes), works once, only
from the client that asked (its IPv4 address or IPv6 /64 and its user
agent, as a keyed digest) and only while the password is the one it was
checked against. ``accounts.signin.second_step`` takes the code (or another
method's proof) for it, ``claim``s it and opens the session through the
checks every sign-in shares.
"""
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed

from accounts import conf
from accounts.mfa import crypto, methods
from accounts.mfa.models import MfaChallenge
from accounts.sessions import tokens

_TOKEN_BYTES = 32
_SWEEP_BATCH = 100


class MfaTokenInvalid(AuthenticationFailed):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = _("This sign-in has expired or was already completed. Sign in again with your password.")
    default_code = "mfa_token_invalid"


class CodeInvalid(AuthenticationFailed):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = _("That code is not right. Try again, or use a recovery code.")
    default_code = "code_invalid"


class CodeUsed(AuthenticationFailed):
    """A code of the authenticator app that was right once, and was used: each code works once."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = _("That code was already used. Wait for the next code from your authenticator app.")
    default_code = "code_used"


@dataclass(frozen=True)
class SecondStepRequired:
    """What a login answers (202) instead of tokens when the account has a second factor."""

    mfa_token: str
    methods: list[str]
    expires_in: int


def begin(*, user, client, remember, first_methods=("pwd",)) -> SecondStepRequired:
    """Issue an ``mfa_token`` for ``user``, whose first step (``first_methods``, as amr) was just checked."""
    now = timezone.now()
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    ttl = conf.mfa_token_ttl()
    _sweep(now)
    MfaChallenge.objects.create(
        user=user,
        token_digest=_digest(token),
        client_digest=tokens.client_digest(client),
        password_fingerprint=user.get_session_auth_hash(),
        remember=remember,
        first_methods=" ".join(first_methods),
        created_at=now,
        expires_at=now + ttl,
    )
    return SecondStepRequired(
        mfa_token=token,
        methods=[method.name for method in methods.available(user)],
        expires_in=int(ttl.total_seconds()),
    )


def claim(challenge: MfaChallenge) -> bool:
    """Spend ``challenge`` if it is still unused and unexpired; whether this call did (of racing calls, one)."""
    now = timezone.now()
    return bool(
        MfaChallenge.objects.filter(pk=challenge.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
    )


def live_challenge(mfa_token, client) -> MfaChallenge:
    """The unused, unexpired challenge of ``mfa_token`` for this client and password; else ``MfaTokenInvalid``.

    One answer for unknown, used, expired, another client's and outdated tokens.
    """
    if not isinstance(mfa_token, str) or not 20 <= len(mfa_token) <= 128:
        raise MfaTokenInvalid()
    challenge = (
        MfaChallenge.objects.select_related("user")
        .filter(token_digest=_digest(mfa_token), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if challenge is None:
        raise MfaTokenInvalid()
    same_client = tokens.is_same_client(challenge.client_digest, client)
    user = challenge.user
    same_password = crypto.digests_equal(challenge.password_fingerprint, user.get_session_auth_hash())
    if not (same_client and same_password and user.is_active and user.mfa_enabled):
        raise MfaTokenInvalid()
    return challenge


def issued(mfa_token) -> MfaChallenge | None:
    """The challenge row of an ``mfa_token`` this process just issued (to attach what the first step knew)."""
    return MfaChallenge.objects.filter(token_digest=_digest(mfa_token)).first()


def _digest(token: str) -> str:
    return crypto.keyed_digest("mfa-token", token)


def _sweep(now) -> None:
    """Delete a bounded batch of challenges that ended: the table holds little more than the live ones."""
    ended = MfaChallenge.objects.filter(expires_at__lt=now - timedelta(minutes=1)).values_list("pk", flat=True)
    ids = list(ended[:_SWEEP_BATCH])
    if ids:
        MfaChallenge.objects.filter(pk__in=ids).delete()
