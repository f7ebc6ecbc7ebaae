"""Passkeys as the API and the two-step login use them.

- A user's passkeys: registration options, then the verified registration;
  rename; remove. Adding and removing are security events and mailed to the
  user.
- Passwordless sign-in with a discoverable credential: the authenticator
  must verify the user (PIN or biometric), so one passkey is two factors; the
  session's ``amr`` is ``["hwk", "mfa"]``. ``verify_sign_in`` checks the
  ceremony; the session is opened by ``accounts.signin.passkey``, through the
  checks every sign-in shares.
- Re-authentication of this session with one of the user's passkeys (also
  with user verification): ``amr`` ``["hwk", "mfa"]``, a fresh ``auth_time``.
- The second step after a password (``second_step_options`` and
  ``verify_second_step``): presence is enough there, the password being the
  other factor.

A counter that went back is refused and recorded
(``passkey_sign_count_regressed``) wherever a passkey is used.
"""
import logging
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, AuthenticationFailed, NotFound

from accounts import conf
from accounts.audit import record_event
from accounts.mail import outbox
from accounts.mfa import factors
from accounts.models import SecurityEventKind
from accounts.passkeys import ceremonies, challenges, codec, relying_party
from accounts.passkeys.models import ChallengePurpose, Passkey
from accounts.sessions import lifecycle
from accounts.sessions.authentication import SessionEnded

logger = logging.getLogger(__name__)

MAX_PER_USER = 20
# Both factors: possession of the key and the user verified by the authenticator.
AMR = ("hwk", "mfa")
AMR_SECOND_STEP = ("pwd", "hwk", "mfa")


class PasskeyInvalid(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("The passkey could not be verified. Try again.")
    default_code = "passkey_invalid"


class PasskeyLoginFailed(AuthenticationFailed):
    """Every failed passwordless sign-in, whatever went wrong: one answer."""

    default_detail = _("This passkey could not sign you in.")
    default_code = "passkey_invalid"


class SecondStepFailed(AuthenticationFailed):
    default_detail = _("The passkey could not be verified. Try again.")
    default_code = "passkey_invalid"


class PasskeyLimit(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = format_lazy(_("An account can have at most {count} passkeys. Remove one first."), count=MAX_PER_USER)
    default_code = "passkey_limit"


class NoPasskey(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("This account has no passkey.")
    default_code = "no_passkey"


def passkeys_of(user):
    return Passkey.objects.filter(user=user).order_by("created_at")


def has_passkeys(user) -> bool:
    """Whether a password login of this user should offer (and need) a passkey as its second step."""
    return Passkey.objects.filter(user=user).exists()


# ---- the user's passkeys -------------------------------------------------------


def registration_options(*, user, session_id) -> dict:
    """Options for ``navigator.credentials.create()``; the challenge is this session's, for five minutes."""
    rp = relying_party.current()
    existing = list(passkeys_of(user))
    if len(existing) >= MAX_PER_USER:
        raise PasskeyLimit()
    # One handle per user, so that an authenticator keeps one passkey per account.
    handle = existing[0].user_handle if existing else _new_user_handle()
    challenge = challenges.issue(
        purpose=ChallengePurpose.REGISTER, user=user, binding=str(session_id), user_handle=handle
    )
    return ceremonies.registration_options(rp=rp, user=user, user_handle=handle, challenge=challenge, existing=existing)


def register(*, user, session_id, credential, name, client) -> Passkey:
    """Verify the authenticator's answer and keep the new passkey; record it and mail the user."""
    rp = relying_party.current()
    try:
        new = ceremonies.verify_registration(rp=rp, credential=credential, user=user, binding=str(session_id))
    except ceremonies.CeremonyRefused as refused:
        logger.info("Passkey registration refused for user %s: %s", user.pk, refused.reason)
        raise PasskeyInvalid() from None
    now = timezone.now()
    with transaction.atomic():
        # Locks the user's row (PostgreSQL), so that two registrations cannot both pass the limit.
        type(user)._default_manager.select_for_update().filter(pk=user.pk).first()
        count = Passkey.objects.filter(user=user).count()
        if count >= MAX_PER_USER:
            raise PasskeyLimit()
        try:
            with transaction.atomic():
                passkey = Passkey.objects.create(
                    user=user, credential_id=new.credential_id, public_key=new.public_key,
                    sign_count=new.sign_count, user_handle=new.user_handle, transports=new.transports,
                    aaguid=new.aaguid, backed_up=new.backed_up, name=name or f"Passkey {count + 1}",
                    created_at=now, added_while_unverified=user.email_verified_at is None,
                )
        except IntegrityError:
            # That credential id is registered already (to this account or another): never replaced.
            logger.info("Passkey registration refused for user %s: credential id taken", user.pk)
            raise PasskeyInvalid(_("This passkey is registered already.")) from None
        record_event(SecurityEventKind.PASSKEY_ADDED, user=user, session_id=session_id, client=client)
        _notify(user, "passkey_added", name=passkey.name, count=1, when=now, client=client)
        factors.sync_flag(user)  # a passkey is a second factor: a password login now asks for it
    return passkey


def rename(*, user, passkey_id, name) -> Passkey:
    passkey = _own(Passkey.objects.all(), user=user, passkey_id=passkey_id)
    passkey.name = name
    passkey.save(update_fields=["name"])
    return passkey


def remove(*, user, passkey_id, session_id, client) -> None:
    """Remove one of the user's own passkeys (404 for anyone else's); record it and mail the user."""
    with transaction.atomic():
        passkey = _own(Passkey.objects.select_for_update(), user=user, passkey_id=passkey_id)
        passkey.delete()
        record_event(SecurityEventKind.PASSKEY_REMOVED, user=user, session_id=session_id, client=client)
        _notify(user, "passkey_removed", name=passkey.name, count=1, when=timezone.now(), client=client)
        factors.sync_flag(user)


def _own(passkeys, *, user, passkey_id) -> Passkey:
    """The user's passkey with this id; 404 for every other id, another user's included."""
    passkey = passkeys.filter(user=user, pk=passkey_id).first()
    if passkey is None:
        raise NotFound(_("No such passkey."))
    return passkey


def remove_all(*, user, actor=None, client=None) -> int:
    """Remove every passkey of a user (an administrator's reset of two-step sign-in); returns how many."""
    with transaction.atomic():
        names = list(Passkey.objects.filter(user=user).values_list("name", flat=True))
        if not names:
            return 0
        Passkey.objects.filter(user=user).delete()
        factors.sync_flag(user)
        record_event(SecurityEventKind.PASSKEY_REMOVED, user=user, actor=actor, reason="all", client=client)
        _notify(
            user, "passkey_removed", name=names[0], count=len(names), when=timezone.now(), client=client,
            by_administrator=actor is not None,
        )
    return len(names)


# ---- passwordless sign-in ------------------------------------------------------


def login_options() -> dict:
    """Options for ``navigator.credentials.get()`` with any discoverable passkey of this site."""
    rp = relying_party.current()
    challenge = challenges.issue(purpose=ChallengePurpose.LOGIN)
    return ceremonies.authentication_options(rp=rp, challenge=challenge)


def verify_sign_in(*, credential, client) -> Passkey:
    """The passkey (of an active user) that signed this answer to ``login_options``; one 401 for every failure."""
    rp = relying_party.current()
    try:
        passkey = _verified_passkey(rp=rp, credential=credential, purpose=ChallengePurpose.LOGIN, client=client)
    except ceremonies.CeremonyRefused as refused:
        logger.info("Passkey sign-in refused: %s", refused.reason)
        owner = refused.passkey.user if refused.passkey is not None else None
        record_event(SecurityEventKind.LOGIN_FAILED, user=owner, reason="passkey", client=client)
        raise PasskeyLoginFailed() from None
    if not passkey.user.is_active:
        record_event(SecurityEventKind.LOGIN_FAILED, user=passkey.user, reason="passkey", client=client)
        raise PasskeyLoginFailed()
    return passkey


# ---- re-authentication ---------------------------------------------------------


def reauthentication_options(*, user, session_id) -> dict:
    rp = relying_party.current()
    existing = list(passkeys_of(user))
    if not existing:
        raise NoPasskey()
    challenge = challenges.issue(purpose=ChallengePurpose.REAUTHENTICATE, user=user, binding=str(session_id))
    return ceremonies.authentication_options(rp=rp, challenge=challenge, allowed=existing)


def reauthenticate(*, user, session_id, credential, client) -> lifecycle.IssuedTokens:
    """Renew this session's ``auth_time`` with one of the user's passkeys."""
    rp = relying_party.current()
    try:
        _verified_passkey(
            rp=rp, credential=credential, purpose=ChallengePurpose.REAUTHENTICATE, user=user,
            binding=str(session_id), client=client,
        )
    except ceremonies.CeremonyRefused as refused:
        logger.info("Passkey re-authentication refused for user %s: %s", user.pk, refused.reason)
        raise PasskeyInvalid() from None
    issued = lifecycle.reauthenticate(session_id=session_id, methods=AMR)
    if issued is None:
        raise SessionEnded()
    record_event(SecurityEventKind.REAUTHENTICATED, user=user, session_id=session_id, reason="passkey", client=client)
    return issued


# ---- the second step of a login ------------------------------------------------


def second_step_options(*, user, binding: str) -> dict:
    """Options for the second step after a correct password, bound to that login attempt (``binding``).

    ``binding``: a string at most 64 characters long that names the attempt
    (e.g. a digest of its ``mfa_token``), so the challenge answers that one only.
    """
    rp = relying_party.current()
    existing = list(passkeys_of(user))
    if not existing:
        raise NoPasskey()
    challenge = challenges.issue(purpose=ChallengePurpose.SECOND_STEP, user=user, binding=binding)
    return ceremonies.authentication_options(rp=rp, challenge=challenge, allowed=existing, user_verification=False)


def verify_second_step(*, user, credential, binding: str, client) -> Passkey:
    """The user's passkey that answered ``second_step_options``; ``SecondStepFailed`` (401) otherwise.

    The caller then opens the session with ``methods=AMR_SECOND_STEP``.
    """
    rp = relying_party.current()
    try:
        return _verified_passkey(
            rp=rp, credential=credential, purpose=ChallengePurpose.SECOND_STEP, user=user, binding=binding,
            require_user_verification=False, client=client,
        )
    except ceremonies.CeremonyRefused as refused:
        logger.info("Passkey second step refused for user %s: %s", user.pk, refused.reason)
        raise SecondStepFailed() from None


# ---- shared --------------------------------------------------------------------


def _verified_passkey(*, rp, credential, purpose, client, user=None, binding="", require_user_verification=True):
    """``ceremonies.verify_assertion``, recording a counter that went back as a security event."""
    try:
        return ceremonies.verify_assertion(
            rp=rp, credential=credential, purpose=purpose, user=user, binding=binding,
            require_user_verification=require_user_verification,
        )
    except ceremonies.SignCountRegressed as regressed:
        logger.warning(
            "Passkey %s of user %s: %s (a cloned authenticator?); refused.",
            regressed.passkey.pk, regressed.passkey.user_id, regressed.reason,
        )
        record_event(
            SecurityEventKind.PASSKEY_SIGN_COUNT_REGRESSED, user=regressed.passkey.user, reason=purpose,
            client=client,
        )
        raise


def _new_user_handle() -> str:
    """A random WebAuthn user handle: nothing about the user can be read from it."""
    return codec.encode(secrets.token_bytes(32))


def _notify(user, template, *, name, count, when, client, by_administrator=False) -> None:
    if not user.email:
        return
    outbox.enqueue(
        to=user.email,
        template=template,
        context={
            "user": user, "name": name, "count": count, "when": when, "by_administrator": by_administrator,
            "ip_address": client.ip_address if client else None, "site_url": conf.site_url(),
        },
    )
