"""Password reset: request a link by email, then set a new password with its token.

The request answers the same whether or not an account has the address, and
does the same work either way: one lookup, the mail rendered, and one
transaction that writes a security event and the outbox row in a savepoint;
for an unknown address the savepoint is rolled back, so no mail exists. The mail itself goes out
through the outbox, so no SMTP time reaches the response.
"""
import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError

from accounts import conf
from accounts.audit import record_event
from accounts.devices import trusted
from accounts.identity import canonical_email
from accounts.limits.throttling import throttle_address
from accounts.mail import notices, outbox
from accounts.mfa import factors
from accounts.models import RevocationReason, SecurityEventKind
from accounts.personal_tokens import flows as personal_tokens
from accounts.recovery import addresses, tokens
from accounts.sessions import lifecycle
from accounts.webhooks import events as webhooks

logger = logging.getLogger(__name__)

_EMAIL_MAX = 254


class TokenInvalid(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("This link is not valid: it was used already, it expired, or the password changed since.")
    default_code = "token_invalid"


class RecoveryUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("Password reset by email is not set up on this server.")
    default_code = "recovery_unavailable"


def ensure_available() -> None:
    """Recovery needs ``SITE_URL`` (for the link) and ``EMAIL_URL`` (for the mail); the same 503 for everyone without."""
    if addresses.available():
        return
    logger.warning("Password reset requested, but SITE_URL or EMAIL_URL is not set; answering 503.")
    raise RecoveryUnavailable()


def request_password_reset(*, email, client) -> None:
    """Queue a reset link for the active account with this address, if there is one; say nothing either way."""
    ensure_available()
    address = (email or "").strip()[:_EMAIL_MAX]
    _throttle_address(address)
    user = (
        get_user_model()._default_manager.annotate(email_lower=Lower("email"))
        .filter(email_lower=canonical_email(address), is_active=True)
        .exclude(email="")
        .first()
    )
    context = _reset_mail_context(user or _Nobody(address))
    with transaction.atomic():
        record_event(
            SecurityEventKind.PASSWORD_RESET_REQUESTED, user=user, username="" if user else address, client=client,
        )
        # The same statements either way: the mail is rendered and written in
        # a savepoint, which for an unknown address is rolled back (its
        # on_commit wake-up goes with it).
        try:
            with transaction.atomic():
                outbox.enqueue(to=user.email if user else address, template="password_reset", context=context)
                if user is None:
                    raise _NoAccount
        except _NoAccount:
            pass


def reset_link(token: str) -> str:
    """The token rides in the fragment, which browsers never send: no server or proxy logs it."""
    return f"{conf.site_url()}/reset-password#token={token}"


def account_for_token(*, token) -> str:
    """The username a valid reset token is for (the reset page names the account); ``TokenInvalid`` otherwise.

    Only someone holding a valid token learns a name: the mailbox it was sent to.
    """
    user = tokens.user_for_token(token)
    if user is None:
        raise TokenInvalid()
    return user.get_username()


def confirm_password_reset(*, token, new_password, client) -> None:
    """Set a new password with a reset token; end every session and personal token; record it and mail a notice.

    Second factors added while the address was not verified end too
    (``accounts.mfa.factors.end_unverified_past``), with their own notice.
    """
    user = tokens.user_for_token(token)
    if user is None:
        raise TokenInvalid()
    try:
        validate_password(new_password, user)
    except DjangoValidationError as error:
        raise ValidationError({"new_password": list(error.messages)}) from None
    with transaction.atomic():
        user = type(user)._default_manager.select_for_update().get(pk=user.pk)
        if tokens.user_for_token(token) is None:  # a concurrent confirm used it first
            raise TokenInvalid()
        user.set_password(new_password)
        user.save(update_fields=["password"])
        record_event(SecurityEventKind.PASSWORD_RESET, user=user, client=client)
        webhooks.emit("password.changed", {"user_id": user.pk, "method": "reset"})
        # Refresh tokens end here; access tokens end with the password (their session's fingerprint no longer matches).
        lifecycle.revoke_user_sessions(user=user, reason=RevocationReason.PASSWORD_RESET, client=client)
        # A reset is what someone locked out of a taken-over account does: the tokens made meanwhile end too.
        personal_tokens.revoke_user_tokens(user=user, reason=RevocationReason.PASSWORD_RESET, client=client)
        trusted.end_all(user)  # a trusted browser must not skip the second step of the account taken back
        # The reset proves the mailbox: second factors attached while the address was unverified go too.
        factors.end_unverified_past(user=user, client=client)
        _mark_address_verified(user, client)
        notices.password_reset(user=user, client=client)


def _mark_address_verified(user, client) -> None:
    """A reset link went to the current address (its MAC covers it): using it proves the mailbox."""
    if user.email_verified_at is not None or not user.email:
        return
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    record_event(SecurityEventKind.EMAIL_VERIFIED, user=user, client=client)


class _NoAccount(Exception):
    """Rolls the decoy mail of an unknown address back."""


class _Nobody:
    """Stands in for a user when the address is unknown (only to render a mail nobody receives)."""

    pk = 0
    password = ""
    last_login = None

    def __init__(self, email):
        self.email = email

    def get_username(self):
        return self.email


def _reset_mail_context(user) -> dict:
    return {
        "user": user,
        "link": reset_link(tokens.make_token(user)),
        "ttl_minutes": int(conf.password_reset_ttl().total_seconds() // 60),
    }


def _throttle_address(address: str) -> None:
    """At most PASSWORD_RESET_RATE_PER_ADDRESS requests per window for one address, known or not."""
    throttle_address(address, scope="password-reset", rate=conf.password_reset_rate_per_address())
