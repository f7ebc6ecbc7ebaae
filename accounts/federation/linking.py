"""From a verified identity at a provider to one of our accounts: sign in, sign up, link, unlink.

The rules, and why (docs/federation.md says the same to operators):

- An identity is the pair (provider, subject). The address a provider sends
  never decides which account an identity enters, with one exception below:
  addresses get reassigned, providers let people type any address
  (Entra ID, GitHub's unverified ones), and "same address, so same person"
  is how accounts get taken over.
- A first sign-in with an address at a domain another provider owns with
  ``require_for_domains`` answers ``sso_required`` before anything is made
  or linked: that domain's accounts come in through their own provider.
- A first sign-in whose address belongs to an account answers
  ``account_exists`` (sign in the usual way, then link on the account
  page) — unless the provider is marked ``trusted_email`` or owns the
  address's domain, says the address is verified, and the account's address
  is verified too: then the identity is linked (the owner is mailed) and
  signs in. When only the account's side is unverified, the answer is
  ``account_unconfirmed`` and the address is mailed a password-reset link
  (``accounts.signin.provider``): once it is used, the same sign-in links.
- Otherwise a first sign-in makes an account when sign-up is open and the
  provider allows it (``signup_closed`` if not): the provider's address
  (verified only if it says so), a free username from the claims, no usable
  password (a reset mail sets one).
- Every sign-in then passes ``gate.admit`` with ``methods=("fed",)``
  (``accounts.signin.provider``): the second step, the unverified-address
  rule and new-device mail apply as to any other way in.
"""
import logging
import re
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import APIException, NotFound

from accounts import conf
from accounts.audit import record_event
from accounts.devices import detection
from accounts.federation import backchannel, domains, notices
from accounts.federation.models import FederatedSignIn, Identity, PendingFederatedSignIn
from accounts.federation.outcomes import (
    ACCOUNT_EXISTS,
    ACCOUNT_UNCONFIRMED,
    EMAIL_UNVERIFIED,
    FAILED,
    IDENTITY_IN_USE,
    SIGNUP_CLOSED,
    SSO_REQUIRED,
    Failed,
)
from accounts.identity import canonical_email, canonical_username, normalized_email
from accounts.models import RefreshSession, RevocationReason, SecurityEventKind
from accounts.precompiled import RowWithParent
from accounts.passkeys.models import Passkey
from accounts.recovery import addresses
from accounts.sessions import lifecycle

logger = logging.getLogger(__name__)

_NAME_CHARACTERS = re.compile(r"[^\w.@+-]+")
_NAME_LENGTH = 30


class LastSignInMethod(APIException):
    status_code = 409
    default_detail = gettext_lazy(
        "This is the only way to sign in to your account. Set a password, add a passkey or link another "
        "provider first."
    )
    default_code = "last_sign_in_method"


def account_for(*, provider, person, client):
    """The active account ``person`` signs in to, made or linked now if need be; ``Failed`` with the code otherwise.

    A refusal is recorded by the caller, once this transaction was rolled back.

    The caller opens the session (``accounts.signin.provider``, through the gate), in this same transaction.
    """
    now = timezone.now()
    identity = _IDENTITY_WITH_USER.get(provider.pk, person.subject)
    if identity is None:
        identity = _first_sign_in(provider=provider, person=person, client=client, now=now)
    else:
        Identity.objects.filter(pk=identity.pk).update(
            last_used_at=now, email=_address(person) or identity.email, email_verified=person.email_verified,
        )
    return identity.user


# Identity.objects.select_related("user").filter(provider=…, subject=…), precompiled: the callback's 5 ms target.
_IDENTITY_WITH_USER = RowWithParent(Identity, "user", by=("provider", "subject"))


def record_session(*, session, provider, person, provider_sid="") -> None:
    """Which provider session opened ``session`` (what a back-channel logout from the provider ends)."""
    FederatedSignIn.objects.create(
        session=session, provider=provider, subject=person.subject, provider_sid=(provider_sid or "")[:255],
    )


def await_second_step(*, challenge, provider, person, provider_sid="") -> None:
    """A provider sign-in stopped at its second step: keep which provider session it came from until then."""
    if challenge is not None:
        PendingFederatedSignIn.objects.create(
            challenge=challenge, provider=provider, subject=person.subject, provider_sid=(provider_sid or "")[:255],
        )


def pending_provider(*, challenge) -> str | None:
    """The slug of the provider whose sign-in waits at ``challenge``'s second step; None when there is none."""
    return PendingFederatedSignIn.objects.filter(challenge=challenge).values_list("provider__slug", flat=True).first()


def record_after_second_step(*, challenge, session) -> None:
    """The second step opened ``session``: if a provider sign-in began it, record it as ``record_session`` does."""
    pending = PendingFederatedSignIn.objects.filter(challenge=challenge).first()
    if pending is not None:
        FederatedSignIn.objects.create(
            session=session, provider_id=pending.provider_id, subject=pending.subject,
            provider_sid=pending.provider_sid,
        )
        pending.delete()


def _first_sign_in(*, provider, person, client, now) -> Identity:
    domain_owner = domains.required_provider(_address(person))
    if domain_owner is not None and domain_owner != provider.slug:
        # Refused before any account or identity is made: the address's domain signs in through its own provider.
        raise Failed(SSO_REQUIRED, f"{provider.slug}: address at a domain {domain_owner} owns")
    # The provider that owns the address's domain vouches for it as a --trusted-email provider would.
    trusted = provider.trusted_email or domain_owner == provider.slug
    owner = _account_with_address(person.email)
    if owner is not None:
        if trusted and person.email_verified and _same_mailbox_as_sent(person.email, owner.email):
            if owner.email_verified_at is not None:
                return _new_identity(user=owner, provider=provider, person=person, client=client, now=now)
            # Both could be the same person, once the account proves its address (the caller mails it a link).
            raise Failed(ACCOUNT_UNCONFIRMED, f"{provider.slug}: address of an account that never confirmed it")
        raise Failed(ACCOUNT_EXISTS, f"{provider.slug}: address of an existing account")
    if not (provider.allow_signup and conf.signup_enabled()):
        raise Failed(SIGNUP_CLOSED, f"{provider.slug}: sign-up closed")
    address = _address(person)
    verification = conf.signup_email_verification()
    # Mandatory verification of an address the provider did not verify: only if a link can be mailed to it.
    if verification == "mandatory" and not person.email_verified and not (address and addresses.available()):
        raise Failed(EMAIL_UNVERIFIED, "no address that could be verified")
    user = _new_account(person=person, address=address, now=now)
    record_event(SecurityEventKind.REGISTERED, user=user, reason=provider.slug, client=client)
    detection.remember(user=user, client=client)
    if address and not person.email_verified and verification != "none":
        addresses.send_verification(user=user)
    return _new_identity(user=user, provider=provider, person=person, client=client, now=now, tell=False)


def _same_mailbox_as_sent(sent: str, stored: str) -> bool:
    """Whether the address a provider vouched for is, as sent, the account's (apart from case and the domain's form).

    Lookups fold Unicode compatibility forms (NFKC), so "ａlice@example.com"
    (a fullwidth a: another mailbox to the provider and to the mail server)
    finds alice@example.com; only the local part exactly as sent may let a
    trusted provider in.
    """
    sent_local, _at, sent_domain = (sent or "").strip().rpartition("@")
    stored_local, _at, stored_domain = (stored or "").rpartition("@")
    same_domain = canonical_email(f"x@{sent_domain}") == canonical_email(f"x@{stored_domain}")
    return bool(sent_local) and sent_local.lower() == stored_local.lower() and same_domain


def _new_account(*, person, address, now):
    User = get_user_model()
    for username in _usernames(person):
        try:
            with transaction.atomic():
                user = User(username=username, email=address, email_verified_at=now if person.email_verified else None)
                first, _space, last = person.name.partition(" ")
                user.first_name, user.last_name = first[:150], last[:150]
                user.set_unusable_password()
                user.save()
                return user
        except IntegrityError:
            if _account_with_address(address) is not None:
                raise Failed(ACCOUNT_EXISTS, "address taken meanwhile") from None
            continue
    raise Failed(FAILED, "no free username")


def _usernames(person):
    """Names to try for a new account: from the claims, then with a number after it."""
    base = ""
    for source in (person.username_hint, person.email.partition("@")[0], person.name):
        base = _NAME_CHARACTERS.sub("", source.replace(" ", "."))[:_NAME_LENGTH].strip(".")
        if base:
            break
    base = base or "user"
    User = get_user_model()
    taken = set(
        User.objects.filter(username_canonical__startswith=canonical_username(base)).values_list(
            "username_canonical", flat=True
        )[:1000]
    )
    if canonical_username(base) not in taken:
        yield base
    for number in range(2, 1000):
        candidate = f"{base}{number}"
        if canonical_username(candidate) not in taken:
            yield candidate
    for _attempt in range(5):
        yield f"{base}-{secrets.token_hex(3)}"


def _address(person) -> str:
    if not person.email:
        return ""
    try:
        return normalized_email(person.email)
    except ValidationError:
        return ""


def _account_with_address(address):
    if not address:
        return None
    users = get_user_model()._default_manager.alias(email_ci=Lower("email"))
    return users.filter(email_ci=canonical_email(address)).first()


def _new_identity(*, user, provider, person, client, now, tell=True, session_id=None) -> Identity:
    try:
        with transaction.atomic():
            identity = Identity.objects.create(
                user=user, provider=provider, subject=person.subject, email=_address(person),
                email_verified=person.email_verified, created_at=now, last_used_at=now,
            )
    except IntegrityError:
        raise Failed(IDENTITY_IN_USE, "identity linked meanwhile") from None
    identity.user, identity.provider = user, provider
    if tell:
        notices.linked(identity=identity, client=client, session_id=session_id)
    return identity


def link(*, user, session_id, provider, person, client) -> Identity:
    """Link ``person`` to ``user``, whose session ``session_id`` started the link (and must still be live)."""
    now = timezone.now()
    if not RefreshSession.objects.active().filter(pk=session_id, user=user).exists() or not user.is_active:
        raise Failed(FAILED, "the session that started the link ended")
    with transaction.atomic():
        existing = Identity.objects.filter(provider=provider, subject=person.subject).first()
        if existing is not None:
            if existing.user_id != user.pk:
                raise Failed(IDENTITY_IN_USE, f"{provider.slug}: identity of another account")
            Identity.objects.filter(pk=existing.pk).update(last_used_at=now)
            return existing
        return _new_identity(user=user, provider=provider, person=person, client=client, now=now, session_id=session_id)


def reauthenticate(*, user, session_id, provider, person, client) -> None:
    """"Confirm it's you" with a linked identity: ``session_id`` counts as freshly authenticated (``amr`` ``fed``).

    Only one of ``user``'s own identities will do; the app fetches its new
    access token (with the new ``auth_time``) through the refresh cookie.
    """
    if not Identity.objects.filter(user=user, provider=provider, subject=person.subject).exists():
        raise Failed(FAILED, "re-authentication with an identity of another account")
    if lifecycle.reauthenticate(session_id=session_id, methods=["fed"]) is None:
        raise Failed(FAILED, "the session that asked ended")
    Identity.objects.filter(user=user, provider=provider, subject=person.subject).update(last_used_at=timezone.now())
    record_event(
        SecurityEventKind.REAUTHENTICATED, user=user, session_id=session_id, reason=f"fed:{provider.slug}",
        client=client,
    )


def identities_of(user):
    return Identity.objects.filter(user=user).select_related("provider").order_by("created_at")


def unlink(*, user, identity_id, session_id, client) -> None:
    """Unlink one of ``user``'s identities (404 for any other); 409 when nothing else could sign in."""
    with transaction.atomic():
        type(user)._default_manager.select_for_update().filter(pk=user.pk).first()
        identity = Identity.objects.select_related("provider").filter(user=user, pk=identity_id).first()
        if identity is None:
            raise NotFound(_("No such linked identity."))
        others = Identity.objects.filter(user=user).exclude(pk=identity.pk).exists()
        if not (user.has_usable_password() or others or Passkey.objects.filter(user=user).exists()):
            raise LastSignInMethod()
        identity_pk = identity.pk
        identity.delete()
        identity.pk, identity.user = identity_pk, user
        notices.unlinked(identity=identity, client=client, session_id=session_id)
        # What it opened ends with it (its provider account may be why it goes); the session unlinking it stays.
        opened = backchannel.sessions_named(provider=identity.provider, subject=identity.subject).filter(user=user)
        lifecycle.revoke_sessions(
            sessions=opened.exclude(pk=session_id), reason=RevocationReason.IDENTITY_UNLINKED, client=client,
        )
