"""Account operations around the token lifecycle: login, sign-up, password change."""
from django.contrib.auth import authenticate, get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import (
    APIException,
    AuthenticationFailed,
    Throttled,
    ValidationError,
)

from accounts import conf
from accounts.audit import record_event
from accounts.devices import detection, trusted
from accounts.identity import EMAIL_TAKEN, USERNAME_TAKEN, canonical_email, canonical_username, username_taken
from accounts.limits import backoff
from accounts.mail import notices
from accounts.mfa import methods as mfa_methods
from accounts.mfa import totp
from accounts.models import RefreshSession, RevocationReason, SecurityEventKind
from accounts.recovery import addresses
from accounts.sessions import lifecycle
from accounts.sessions.authentication import SessionEnded
from accounts.signin import gate
from accounts.signin.gate import EmailUnverified  # noqa: F401  (what a login may raise)
from accounts.webhooks import events as webhooks

User = get_user_model()


class InvalidCredentials(AuthenticationFailed):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = _("Invalid username or password.")
    default_code = "invalid_credentials"


def log_in(*, request, username, password, client, remember=True, trusted_device=None):
    """Check the password, then take the one path every sign-in takes (``accounts.signin.gate.admit``).

    ``username`` may also be the account's email address (``login_names``).

    Unknown users, wrong passwords and inactive users all cost one password
    hash (Django's ModelBackend hashes a dummy password for unknown users)
    and get the same ``InvalidCredentials``; an address known or not costs
    the same one lookup before it.

    An account with a second factor gets no session yet: a right password
    answers ``SecondStepRequired`` (an ``mfa_token``), and the backoff is
    cleared only when the second step succeeds (``accounts.signin.second_step``),
    unless ``trusted_device`` (the browser's cookie) proves a browser trusted
    at an earlier second step of this very account.
    """
    name, counted_as = login_names(username)
    attempt = gate.attempt(username=counted_as, client=client)
    user = authenticate(request, username=name, password=password)
    if user is None:
        gate.refuse(username=counted_as, client=client)
        raise InvalidCredentials()
    return gate.admit(
        user=user, client=client, remember=remember, methods=("pwd",), attempt=attempt, trusted_device=trusted_device
    )


def login_names(typed: str) -> tuple[str, str]:
    """(the name to check the password of, the name the backoff counts under) for what was typed.

    Text with an ``@`` may be a username (usernames may hold one) or an email
    address: one query looks for both, and a username matching wins; an
    address nobody has is checked as typed (a dummy password is hashed for
    it). Such text is counted under the canonical address whether or not an
    account has it: every spelling of one mailbox shares one count, and
    whether a count is shared with the account's name would tell whether the
    address is that account's. So guesses by name and by address count
    apart, each door with its own backoff.
    """
    if "@" not in typed:
        return typed, typed
    canonical = canonical_username(typed)
    address = canonical_email(typed)
    names = (
        User._default_manager.alias(email_ci=Lower("email"))
        .filter(Q(username_canonical=canonical) | Q(email_ci=address))
        .values_list("username", "username_canonical")[:2]
    )
    found = sorted(names, key=lambda row: row[1] != canonical)  # a username match first
    return (found[0][0] if found else typed), address


_WRONG_PASSWORD = {
    "current_password": _("Your current password is not correct."),
    "password": _("Your password is not correct."),
}


def _check_password_with_backoff(user, password, client, *, field="current_password"):
    username = user.get_username()
    wait = backoff.seconds_to_wait(username=username, ip_address=client.ip_address)
    if wait:
        raise Throttled(wait=wait)
    if not user.check_password(password):
        backoff.record_failure(username=username, ip_address=client.ip_address)
        raise ValidationError({field: [_WRONG_PASSWORD[field]]})


def reauthenticate_with_password(*, user, session_id, password, client):
    """Confirm the password again for this session: its new access token carries a fresh ``auth_time``.

    Wrong passwords count in the login backoff, like a failed login: a
    stolen access token must not become a password oracle.
    """
    gate.check_reauthentication(user=user, client=client, methods=["pwd"])
    _check_password_with_backoff(user, password, client, field="password")
    issued = lifecycle.reauthenticate(session_id=session_id, methods=["pwd"])
    if issued is None:
        raise SessionEnded()
    record_event(SecurityEventKind.REAUTHENTICATED, user=user, session_id=session_id, client=client)
    return issued


def reauthenticate_with_code(*, user, session_id, code, client):
    """Confirm it is you with a second-factor code (TOTP or recovery code) for this session.

    Wrong codes count in the login backoff, like wrong passwords.
    """
    username = user.get_username()
    wait = backoff.seconds_to_wait(username=username, ip_address=client.ip_address)
    if wait:
        raise Throttled(wait=wait)
    method = mfa_methods.verify(user=user, proof={"code": code}, client=client, session_id=session_id)
    if method is None:
        backoff.record_failure(username=username, ip_address=client.ip_address)
        if totp.was_used_already(user=user, code=code):
            raise CodeAlreadyUsed()
        raise CodeNotAccepted()
    issued = lifecycle.reauthenticate(session_id=session_id, methods=[method.amr])
    if issued is None:
        raise SessionEnded()
    record_event(
        SecurityEventKind.REAUTHENTICATED, user=user, session_id=session_id, reason=method.name, client=client
    )
    return issued


class CodeNotAccepted(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("That code is not right. Enter the current code from your authenticator app, or a recovery code.")
    default_code = "code_invalid"


class CodeAlreadyUsed(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("That code was already used. Wait for the next code from your authenticator app.")
    default_code = "code_used"


def register_user(*, username, email, password, client):
    """Create the account; unless ``SIGNUP_EMAIL_VERIFICATION=none``, mail it a verification link.

    An address at a domain a provider requires is refused (403 ``sso_required``): such accounts are made
    through that provider, and one made here first would squat the address of the person it belongs to.

    With ``mandatory`` and mail not set up, no account is created (503):
    nobody could ever log in to it.
    """
    gate.refuse_sign_up_at_owned_domain(email=email)
    verification = conf.signup_email_verification()
    if verification == "mandatory":
        addresses.ensure_available()
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email, password=password)
            record_event(SecurityEventKind.REGISTERED, user=user, client=client)
            detection.remember(user=user, client=client)
            if verification != "none":
                addresses.send_verification(user=user)
    except IntegrityError:
        # Lost a race with another sign-up for the same name or address.
        if username_taken(username):
            raise ValidationError({"username": [USERNAME_TAKEN]}) from None
        raise ValidationError({"email": [EMAIL_TAKEN]}) from None
    return user


def change_password(*, user, current_password, new_password, current_session_id, client):
    """Check the current password, set the new one and end every other session.

    Wrong current passwords count in the same backoff as failed logins: a
    stolen access token must not become an unlimited password oracle.
    """
    _check_password_with_backoff(user, current_password, client)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        RefreshSession.objects.filter(pk=current_session_id).update(password_fingerprint=user.get_session_auth_hash())
        record_event(SecurityEventKind.PASSWORD_CHANGED, user=user, session_id=current_session_id, client=client)
        webhooks.emit("password.changed", {"user_id": user.pk, "method": "change"})
        lifecycle.revoke_user_sessions(
            user=user, reason=RevocationReason.PASSWORD_CHANGED, keep_session_id=current_session_id, client=client
        )
        trusted.end_all(user)  # this browser too: the new password is asked with the second step again
        notices.password_changed(user=user, client=client)


def request_email_change(*, user, new_email, password, client):
    """Check the password (wrong ones count in the login backoff), then mail the link and the notice."""
    addresses.ensure_may_move(user=user, new_email=new_email)  # before the password: nothing to hash for a refusal
    _check_password_with_backoff(user, password, client, field="password")
    addresses.request_change(user=user, new_email=new_email, client=client)
