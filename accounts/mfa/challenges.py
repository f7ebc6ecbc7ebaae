"""The second step of a login: the ``mfa_token`` between a right password and a right code.

A right password on an account with a second factor opens no session: it
issues an opaque ``mfa_token`` (256 random bits), stored only as a keyed
digest, that lives at most ``MFA_TOKEN_TTL`` (5 minutes), works once, only
from the client that asked (its IPv4 address or IPv6 /64 and its user
agent, as a keyed digest) and only while the password is the one it was
checked against. ``complete`` then takes a code (or another method's proof)
and opens the session as a login would.

Wrong codes count in the login backoff under the account's name, exactly as
wrong passwords do; and a right password alone clears nothing there (only a
completed login does), so alternating a known password with guesses at the
code gains nothing. A wrong code leaves the token usable (within the
backoff); the token is spent by the success that opens the session.
"""
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed, Throttled

from accounts import conf
from accounts.audit import record_event
from accounts.devices import detection
from accounts.limits import backoff
from accounts.mfa import crypto, methods
from accounts.mfa.models import MfaChallenge
from accounts.models import SecurityEventKind
from accounts.sessions import lifecycle, tokens

_TOKEN_BYTES = 32
_SWEEP_BATCH = 100


class MfaTokenInvalid(AuthenticationFailed):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = "This sign-in has expired or was already completed. Sign in again with your password."
    default_code = "mfa_token_invalid"


class CodeInvalid(AuthenticationFailed):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = "That code is not right. Try again, or use a recovery code."
    default_code = "code_invalid"


@dataclass(frozen=True)
class SecondStepRequired:
    """What a login answers (202) instead of tokens when the account has a second factor."""

    mfa_token: str
    methods: list[str]
    expires_in: int


def begin(*, user, client, remember) -> SecondStepRequired:
    """Issue an ``mfa_token`` for ``user``, whose password was just checked."""
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
        created_at=now,
        expires_at=now + ttl,
    )
    return SecondStepRequired(
        mfa_token=token,
        methods=[method.name for method in methods.available(user)],
        expires_in=int(ttl.total_seconds()),
    )


def complete(*, mfa_token, proof: dict, client) -> lifecycle.IssuedTokens:
    """Check the second step for ``mfa_token`` and open the session; ``proof`` is e.g. ``{"code": "123456"}``."""
    challenge = _live_challenge(mfa_token, client)
    user = challenge.user
    attempt = backoff.check(username=user.get_username(), ip_address=client.ip_address)
    if attempt.wait:
        raise Throttled(wait=attempt.wait)
    try:
        with transaction.atomic():
            # Claim the token first: of two requests racing with it, one wins.
            claimed = MfaChallenge.objects.filter(
                pk=challenge.pk, used_at__isnull=True, expires_at__gt=timezone.now()
            ).update(used_at=timezone.now())
            if not claimed:
                raise MfaTokenInvalid()
            # A passkey's answer must be to the options issued for this very attempt.
            method = methods.verify(user=user, proof={**proof, "binding": challenge.token_digest}, client=client)
            if method is None:
                raise _WrongProof  # rolls the claim back: the token may be tried again
    except _WrongProof:
        backoff.record_failure(username=user.get_username(), ip_address=client.ip_address)
        record_event(SecurityEventKind.LOGIN_FAILED, user=user, reason="code_invalid", client=client)
        raise CodeInvalid() from None
    backoff.record_success(attempt)
    issued = lifecycle.start_session(user=user, client=client, remember=challenge.remember, methods=("pwd", method.amr))
    detection.note_login(user=user, client=client)  # a sign-in from a new device is mailed, as after a password
    return issued


def passkey_options(*, mfa_token, client) -> dict:
    """WebAuthn options for a passkey as the second step of the attempt ``mfa_token`` (which stays unused)."""
    from accounts.passkeys import flows as passkey_flows

    challenge = _live_challenge(mfa_token, client)
    return passkey_flows.second_step_options(user=challenge.user, binding=challenge.token_digest)


class _WrongProof(Exception):
    pass


def _live_challenge(mfa_token, client) -> MfaChallenge:
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


def _digest(token: str) -> str:
    return crypto.keyed_digest("mfa-token", token)


def _sweep(now) -> None:
    """Delete a bounded batch of challenges that ended: the table holds little more than the live ones."""
    ended = MfaChallenge.objects.filter(expires_at__lt=now - timedelta(minutes=1)).values_list("pk", flat=True)
    ids = list(ended[:_SWEEP_BATCH])
    if ids:
        MfaChallenge.objects.filter(pk__in=ids).delete()
