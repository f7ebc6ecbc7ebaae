"""Verified addresses and change of address: the links, and what using one does.

Both kinds of link open ``SITE_URL/verify-email#token=…`` (the token in the
fragment, which browsers never send, so no access log holds it) and are used
through one route (``verify``): a verification token sets
``email_verified_at``; a change token moves the account to the new address
(verified, since the link reached it) and tells the old one.

A resend answers the same whether the address is unknown, verified or
waiting, and does the same work either way (the reset request's pattern:
one lookup, the mail rendered and written in a savepoint that is rolled
back when no mail is due). A change request to an address another account
has is answered like any other and sends that address nothing: no route
tells whether an address has an account.
"""
import logging

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, PermissionDenied

from accounts import conf
from accounts.audit import record_event
from accounts.federation import domains
from accounts.identity import canonical_email, email_taken
from accounts.limits.throttling import throttle_address
from accounts.mail import notices, outbox
from accounts.models import SecurityEventKind
from accounts.recovery import address_tokens

logger = logging.getLogger(__name__)

_EMAIL_MAX = 254


class TokenInvalid(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("This link is not valid: it was used already, it expired, or the address changed since.")
    default_code = "token_invalid"


class EmailTaken(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("That email address is now used by another account, so this one keeps its address.")
    default_code = "email_taken"


class AddressManaged(PermissionDenied):
    default_detail = _("Your organisation manages your email address: ask it to change the address for you.")
    default_code = "address_managed"

    def __init__(self, provider):
        super().__init__()
        self.extra_body = {"provider": provider}


def ensure_may_move(*, user, new_email) -> None:
    """403 ``address_managed`` when a provider owns ``user``'s address's domain and ``new_email`` leaves it."""
    keeper = domains.keeper_of(address=user.email, new_address=new_email)
    if keeper is not None:
        raise AddressManaged(keeper)


class EmailUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("Email is not set up on this server.")
    default_code = "email_unavailable"


def available() -> bool:
    """A link needs ``SITE_URL``, and its mail ``EMAIL_URL``."""
    return bool(conf.site_url() and conf.mail_configured())


def ensure_available() -> None:
    if not available():
        logger.warning("An address link was asked for, but SITE_URL or EMAIL_URL is not set; answering 503.")
        raise EmailUnavailable()


def link(token: str) -> str:
    return f"{conf.site_url()}/verify-email#token={token}"


def _ttl_context() -> dict:
    """How long a link works, in words: "3 days", "12 hours", "30 minutes"."""
    seconds = int(conf.email_verification_ttl().total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and (seconds % size == 0 or unit == "minute"):
            count = seconds // size
            return {"ttl": f"{count} {unit}{'' if count == 1 else 's'}"}
    return {"ttl": f"{seconds} seconds"}


def send_verification(*, user) -> bool:
    """Queue a verification link for the user's address, in the caller's transaction; False when it cannot be sent.

    Sign-up calls it; with mail not set up (no ``SITE_URL`` or ``EMAIL_URL``)
    it logs a warning and queues nothing (the user can ask again later).
    """
    if not user.email:
        return False
    if not available():
        logger.warning("No verification mail for a new account: SITE_URL or EMAIL_URL is not set.")
        return False
    outbox.enqueue(to=user.email, template="email_verification", context=_verification_context(user))
    return True


def _verification_context(user) -> dict:
    return {"user": user, "link": link(address_tokens.make_verification_token(user)), **_ttl_context()}


def resend_verification(*, email) -> None:
    """Queue a new verification link when an active account has this unverified address; say nothing either way."""
    ensure_available()
    address = (email or "").strip()[:_EMAIL_MAX]
    throttle_address(address, scope="email-verify-resend", rate=conf.email_verify_resend_rate_per_address())
    user = (
        get_user_model()._default_manager.alias(email_ci=Lower("email"))
        .filter(email_ci=canonical_email(address), is_active=True)
        .exclude(email="")
        .first()
    )
    due = user is not None and user.email_verified_at is None
    context = _verification_context(user if due else _Nobody(address))
    with transaction.atomic():
        # The same statements whether or not a mail is due: rolled back when not.
        try:
            with transaction.atomic():
                outbox.enqueue(to=user.email if due else address, template="email_verification", context=context)
                if not due:
                    raise _NoMail
        except _NoMail:
            pass


def request_change(*, user, new_email, client) -> None:
    """Mail a confirmation link to the new address and a notice to the old one; the address changes only on use.

    The caller has checked the password. When another account has the new
    address, the answer and the notice are the same but no link is sent.
    """
    ensure_may_move(user=user, new_email=new_email)
    ensure_available()
    # Per recipient, whoever asks: several accounts (on several networks) cannot flood one outside mailbox.
    throttle_address(new_email, scope="email-change", rate=conf.email_change_rate_per_address())
    taken = email_taken(new_email)
    with transaction.atomic():
        record_event(SecurityEventKind.EMAIL_CHANGE_REQUESTED, user=user, client=client)
        # The same statements either way: the link's mail is rolled back when the address is taken.
        try:
            with transaction.atomic():
                outbox.enqueue(
                    to=new_email, template="email_change_confirm",
                    context={"user": user, "new_email": new_email,
                             "link": link(address_tokens.make_change_token(user, new_email)), **_ttl_context()},
                )
                if taken:
                    raise _NoMail
        except _NoMail:
            pass
        if user.email:
            outbox.enqueue(
                to=user.email, template="email_change_requested",
                context={"user": user, "new_email": new_email, "when": timezone.now(),
                         "ip_address": client.ip_address, "site_url": conf.site_url()},
            )


def verify(*, token, client) -> None:
    """Use a verification or change link; ``TokenInvalid`` for anything not valid now, ``EmailTaken`` for a lost race."""
    found = address_tokens.read(token)
    if found is None:
        raise TokenInvalid()
    with transaction.atomic():
        # The user locked, then the token checked again: of two uses at once, one wins.
        user = get_user_model()._default_manager.select_for_update().get(pk=found.user.pk)
        found = address_tokens.read(token)
        if found is None:
            raise TokenInvalid()
        now = timezone.now()
        # Every link issued so far covers the generation: using one ends them all, for good.
        user.email_link_generation += 1
        if found.purpose == address_tokens.VERIFY:
            user.email_verified_at = now
            user.save(update_fields=["email_verified_at", "email_link_generation"])
            record_event(SecurityEventKind.EMAIL_VERIFIED, user=user, client=client)
            return
        _change_address(user, found.new_email, now=now, client=client)


def _change_address(user, new_email, *, now, client) -> None:
    ensure_may_move(user=user, new_email=new_email)  # the domain may have been claimed since the link was sent
    old_email = user.email
    others = get_user_model()._default_manager.alias(email_ci=Lower("email")).exclude(pk=user.pk)
    if others.filter(email_ci=canonical_email(new_email)).exists():
        raise EmailTaken()
    user.email, user.email_verified_at = new_email, now
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "email_verified_at", "email_link_generation"])
    except IntegrityError:  # another account took it since the check
        raise EmailTaken() from None
    record_event(SecurityEventKind.EMAIL_CHANGED, user=user, client=client)
    notices.email_changed(user=user, old_email=old_email, client=client)


class _NoMail(Exception):
    """Rolls back the mail that is rendered and written but not due (no account, or an address taken)."""


class _Nobody:
    """Stands in for a user when no mail is due (only to render a mail nobody receives)."""

    pk = 0
    password = ""
    email_verified_at = None
    email_link_generation = 0

    def __init__(self, email):
        self.email = email

    def get_username(self):
        return self.email
