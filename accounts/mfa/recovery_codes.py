"""Recovery codes: ten single-use codes for when the authenticator app is out of reach.

Each code is 10 characters of Crockford's base32 (50 bits; no I, L, O or
U to misread), shown as ``xxxxx-xxxxx``, and stored only as a keyed digest
(HMAC-SHA256 of the user's id and the code): the database alone yields no
code. Typing is forgiving: case, dashes and spaces do not matter, and
``i``/``l`` read as 1, ``o`` as 0. A new set replaces the old one whole.

A code is looked up by its digest; the digest is keyed, so the lookup's
timing tells nothing about any code. Using it is one conditional UPDATE
(``used_at IS NULL``), so a code works once even under concurrent requests.
"""
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException

from accounts.devices import trusted
from accounts.mfa import crypto, factors, notices
from accounts.mfa.models import RecoveryCode
from accounts.models import SecurityEventKind

COUNT = 10
LENGTH = 10
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_READ_AS = str.maketrans({"i": "1", "l": "1", "o": "0"})
_DROPPED = str.maketrans("", "", " -\t")


class SecondFactorMissing(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Set up two-step sign-in first: recovery codes stand in for a second factor.")
    default_code = "mfa_not_enabled"


def regenerate(*, user, client, session_id=None) -> list[str]:
    """A new set on demand (the old set stops working); recorded and mailed."""
    with transaction.atomic():
        if not factors.has_factor(user):
            raise SecondFactorMissing()
        codes = replace_set(user=user)
        trusted.end_all(user)  # a change of factors ends the browsers trusted to skip them
        notices.notify(SecurityEventKind.MFA_RECOVERY_CODES_CREATED, user=user, client=client, session_id=session_id)
    return codes


def replace_set(*, user) -> list[str]:
    """Delete the user's codes and make a new set; answers the codes, the only time they exist in the clear."""
    codes = [_new_code() for _ in range(COUNT)]
    now = timezone.now()
    unverified = user.email_verified_at is None  # a password reset would end them
    with transaction.atomic():
        delete_all(user=user)
        RecoveryCode.objects.bulk_create([
            RecoveryCode(
                user=user, digest=_digest(user.pk, _normalized(code)), created_at=now,
                added_while_unverified=unverified,
            )
            for code in codes
        ])
    return codes


def delete_all(*, user) -> None:
    RecoveryCode.objects.filter(user=user).delete()


def use(*, user, code) -> bool:
    """Spend ``code`` if it is one of the user's unused codes; whether it was."""
    cleaned = _normalized(code)
    if cleaned is None:
        return False
    return bool(
        RecoveryCode.objects.filter(user=user, digest=_digest(user.pk, cleaned), used_at__isnull=True)
        .update(used_at=timezone.now())
    )


def remaining(*, user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def looks_like_a_code(code) -> bool:
    return _normalized(code) is not None


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def _normalized(code) -> str | None:
    if not isinstance(code, str) or len(code) > 64:
        return None
    cleaned = code.translate(_DROPPED).lower().translate(_READ_AS)
    if len(cleaned) != LENGTH or any(char not in _ALPHABET for char in cleaned):
        return None
    return cleaned


def _digest(user_id, cleaned: str) -> str:
    return crypto.keyed_digest("recovery-code", f"{user_id}:{cleaned}")
