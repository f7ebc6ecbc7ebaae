"""One-time WebAuthn challenges, kept server-side.

A challenge is 32 random bytes handed to the browser in the options; the
authenticator signs it inside ``clientDataJSON``. We keep only its SHA-256,
with what it is for, whom and what it is bound to, and when it expires. An
answer is accepted only if the challenge it signed is found here for the same
purpose and binding, and only by the request whose DELETE removed the row:
so a challenge is used once, whether the answer then verifies or not, and
the client's word about the challenge is never trusted beyond finding it.
"""
import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from accounts.passkeys.models import PasskeyChallenge

# Long enough to find the security key and type a PIN; the browser is given the same timeout.
LIFETIME = timedelta(minutes=5)
_CHALLENGE_BYTES = 32


def issue(*, purpose, user=None, binding="", user_handle="") -> bytes:
    """A fresh challenge for ``purpose``, stored until it is used or ``LIFETIME`` has passed."""
    now = timezone.now()
    # Expired rows go as new ones come: unanswered login options cannot pile up.
    PasskeyChallenge.objects.filter(expires_at__lte=now).delete()
    challenge = _new_challenge()
    PasskeyChallenge.objects.create(
        digest=_digest(challenge), purpose=purpose, user=user, binding=binding, user_handle=user_handle,
        expires_at=now + LIFETIME,
    )
    return challenge


def consume(challenge: bytes, *, purpose, user=None, binding="") -> PasskeyChallenge | None:
    """Use up a challenge we issued for this purpose, user and binding; None if there is none (any more).

    Of two requests racing with one challenge, only the one whose DELETE
    removed the row gets it.
    """
    if not isinstance(challenge, bytes) or len(challenge) != _CHALLENGE_BYTES:
        return None
    mine = PasskeyChallenge.objects.filter(
        digest=_digest(challenge), purpose=purpose, binding=binding, expires_at__gt=timezone.now()
    )
    mine = mine.filter(user=user) if user is not None else mine.filter(user__isnull=True)
    row = mine.first()
    if row is None:
        return None
    deleted, _ = PasskeyChallenge.objects.filter(pk=row.pk).delete()
    return row if deleted else None


def _new_challenge() -> bytes:
    return secrets.token_bytes(_CHALLENGE_BYTES)


def _digest(challenge: bytes) -> str:
    return hashlib.sha256(challenge).hexdigest()
