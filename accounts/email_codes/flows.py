"""Sending a sign-in code and checking one.

``send`` answers nothing about the address and does the same work whether
or not an active account has it: the address's keyed digest, one lookup,
a code made and its digest stored (a row with no account for an unknown
address), the mail rendered and written in a savepoint that is rolled back
when there is nobody to send it to. The mail goes out through the outbox,
so no SMTP time reaches the response.

``verify`` spends one of the code's ``MAX_TRIES`` before it compares (an
atomic conditional update), so requests sent in parallel cannot compare
more than five guesses against one code; a right code is spent by deleting
its row, so of two uses at once one wins.
"""
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound

from accounts import conf
from accounts.audit import record_event
from accounts.devices import trusted
from accounts.email_codes import codes
from accounts.email_codes.models import LoginCode
from accounts.identity import canonical_email
from accounts.limits.throttling import throttle_address
from accounts.mail import notices, outbox
from accounts.mfa import factors
from accounts.models import RevocationReason, SecurityEventKind
from accounts.personal_tokens import flows as personal_tokens
from accounts.sessions import lifecycle
from accounts.webhooks import events as webhooks

TTL = timedelta(minutes=10)
MAX_TRIES = 5
_EMAIL_MAX = 254
_SWEEP_BATCH = 100


class LoginByCodeUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("Sign-in by email code is not set up on this server.")
    default_code = "login_code_unavailable"


def ensure_available() -> None:
    """404 while ``LOGIN_BY_CODE`` is off; 503 while mail cannot go out (no ``SITE_URL`` or ``EMAIL_URL``)."""
    if not conf.login_by_code():
        raise NotFound()
    if not available():
        raise LoginByCodeUnavailable()


def available() -> bool:
    return conf.login_by_code() and bool(conf.site_url()) and conf.mail_configured()


def code_page_link(address: str) -> str:
    """The code page with the address filled in: in the fragment, which browsers never send, so no log holds it."""
    return f"{conf.site_url()}/login/code#email={quote(address, safe='@')}"


def send(*, email) -> None:
    """Mail a new code to the active account with this address, if there is one; the older code ends."""
    address = (email or "").strip()[:_EMAIL_MAX]
    throttle_address(address, scope="login-code", rate=conf.login_code_rate_per_address())
    digest = codes.address_digest(address)
    user = (
        get_user_model()._default_manager.alias(email_ci=Lower("email"))
        .filter(email_ci=canonical_email(address), is_active=True)
        .exclude(email="")
        .first()
    )
    code = codes.new_code()
    now = timezone.now()
    context = {
        "user": user or _Nobody(address),
        "code": code,
        "link": code_page_link(user.email if user else address),
        "ttl_minutes": int(TTL.total_seconds() // 60),
    }
    _sweep(now)
    with transaction.atomic():
        LoginCode.objects.update_or_create(
            address_digest=digest,
            defaults={
                "user": user, "code_digest": codes.code_digest(address_digest=digest, code=code), "tries": 0,
                "created_at": now, "expires_at": now + TTL,
            },
        )
        # The same statements either way; the mail of an unknown address is rolled back.
        try:
            with transaction.atomic():
                outbox.enqueue(to=user.email if user else address, template="login_code", context=context)
                if user is None:
                    raise _NoAccount
        except _NoAccount:
            pass


@dataclass(frozen=True)
class Verdict:
    user: object | None  # the account the code signs in to; None when it does not
    owner: object | None  # the account the address's live code was sent to, if any (for the record)


def verify(*, email, code) -> Verdict:
    """Whether ``code`` is the live code of ``email``; spends a try, and the code when it is right."""
    address = (email or "").strip()[:_EMAIL_MAX]
    digest = codes.address_digest(address)
    typed = codes.code_digest(address_digest=digest, code=code)
    row = (
        LoginCode.objects.select_related("user")
        .filter(address_digest=digest, expires_at__gt=timezone.now())
        .first()
    )
    if row is None:
        return Verdict(user=None, owner=None)
    owner = row.user
    this_code = LoginCode.objects.filter(pk=row.pk, code_digest=row.code_digest)  # not a newer one sent meanwhile
    if not this_code.filter(tries__lt=MAX_TRIES).update(tries=F("tries") + 1):
        return Verdict(user=None, owner=owner)
    if owner is None or not codes.digests_equal(row.code_digest, typed):
        return Verdict(user=None, owner=owner)
    spent, _ = this_code.delete()
    if not spent:  # a request racing with the same code won
        return Verdict(user=None, owner=owner)
    # The account may have changed its address or been deactivated since the code was sent.
    if not owner.is_active or not codes.digests_equal(codes.address_digest(owner.email), digest):
        return Verdict(user=None, owner=owner)
    return Verdict(user=owner, owner=owner)


def prove_mailbox(*, user, client) -> None:
    """A right code came from the mailbox: its address is verified (and the verification links still out end).

    The first proof of an address also takes the account from its unverified
    past: someone who signed up with an address that is not theirs (before
    its owner did) still knows the password, and may hold sessions, personal
    tokens, trusted browsers or factors. The mailbox's owner signing in with
    a code must not share the account with them, so, as a reset link does,
    all of that ends: the password becomes unusable (the owner sets one with
    "Forgot password"), every session, personal token and trusted browser
    ends, and the factors added while the address was unverified go; it is
    recorded and mailed. An account whose address was verified keeps all of it.
    """
    if user.email_verified_at is not None:
        return
    with transaction.atomic():
        user.email_verified_at = timezone.now()
        user.email_link_generation += 1
        user.set_unusable_password()
        user.save(update_fields=["email_verified_at", "email_link_generation", "password"])
        record_event(SecurityEventKind.EMAIL_VERIFIED, user=user, reason="login_code", client=client)
        record_event(SecurityEventKind.PASSWORD_RESET, user=user, reason="login_code", client=client)
        webhooks.emit("password.changed", {"user_id": user.pk, "method": "login_code"})
        lifecycle.revoke_user_sessions(user=user, reason=RevocationReason.PASSWORD_RESET, client=client)
        personal_tokens.revoke_user_tokens(user=user, reason=RevocationReason.PASSWORD_RESET, client=client)
        trusted.end_all(user)
        factors.end_unverified_past(user=user, client=client, proof="login_code")
        notices.password_reset(user=user, client=client, proof="login_code")


def _sweep(now) -> None:
    """Delete a bounded batch of codes that ended: the table holds little more than the live ones."""
    ended = LoginCode.objects.filter(expires_at__lt=now).values_list("pk", flat=True)
    ids = list(ended[:_SWEEP_BATCH])
    if ids:
        LoginCode.objects.filter(pk__in=ids).delete()


class _NoAccount(Exception):
    """Rolls the mail of an unknown address back."""


class _Nobody:
    """Stands in for a user when the address is unknown (only to render a mail nobody receives)."""

    pk = 0

    def __init__(self, email):
        self.email = email

    def get_username(self):
        return self.email
