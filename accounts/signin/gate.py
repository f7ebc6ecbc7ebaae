"""The checks every way into an account shares, in the order they apply.

Before a credential is checked, ``attempt`` applies the login backoff (429
while it says wait). A wrong credential goes to ``refuse``: it counts in the
backoff under the account's name and is recorded. A right one goes to
``admit``, whatever it was (a password, a password and a code, a passkey):

0. an inactive user is refused (each way in already refuses one with its own
   answer before this; the gate makes sure none forgets);
1. single sign-on: an account whose address is at a domain an enabled
   provider owns with ``require_for_domains`` signs in through that
   provider only: any other credential (a password, a code, a passkey,
   another provider's identity) gets 403 ``sso_required`` naming it
   (``accounts.federation.domains``), only after it was right;
2. the address: with ``SIGNUP_EMAIL_VERIFICATION=mandatory`` an unverified
   one gets 403 ``email_unverified`` and no session; only now, after the
   credential was right, so the answer tells nothing to whoever lacks it;
3. the second step: a password alone on an account with a second factor
   opens no session but answers ``SecondStepRequired`` (202, an
   ``mfa_token``); the backoff is not cleared then, only by a completed
   login, so a known password does not reset the count of guessed codes;
4. the backoff of this account and client is cleared;
5. the session starts (``last_login`` is recorded with it), unless the
   account was deleted or deactivated since its credential was checked;
6. a device the account has not used before is remembered and the owner
   mailed (``accounts.devices.detection``), in the session's transaction:
   a login that fails here leaves no session (and the mail is queued in the
   outbox with it, so it goes exactly when the login committed);
7. asked to (``trust_device``, "trust this device" at a second step), the
   browser is trusted (``accounts.devices.trusted``): its cookie comes back
   on ``IssuedTokens.trusted_device``.

A browser trusted earlier (``trusted_device``, its cookie) skips step 3, and
only for a password login (``methods`` exactly ``("pwd",)``): any other
first factor still meets the second step, the session's ``amr`` stays
``["pwd"]`` (a trusted browser is no factor, so changing one still asks for
a code), and a cookie of another account, an expired, garbled or forged one
is simply not recognised.

Adding a way in (single sign-on, say) means checking its credential and
calling ``admit``: it then cannot skip any of these.
"""
import dataclasses

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, Throttled

from accounts import conf
from accounts.audit import record_event
from accounts.devices import detection, trusted
from accounts.federation import domains
from accounts.limits import backoff
from accounts.mfa import challenges
from accounts.models import SecurityEventKind
from accounts.sessions import lifecycle

# What in an access token's "amr" (RFC 8176) shows a second factor was used.
SECOND_FACTOR_AMR = frozenset({"otp", "hwk"})


class EmailUnverified(PermissionDenied):
    default_detail = _("Confirm your email address first: open the link we mailed you, or ask for a new one.")
    default_code = "email_unverified"

    def __init__(self, user):
        super().__init__()
        self.email = user.email


class SsoRequired(PermissionDenied):
    default_detail = _("Your organisation signs you in: continue with its sign-in provider.")
    default_code = "sso_required"

    def __init__(self, provider):
        super().__init__()
        self.provider = provider
        self.extra_body = {"provider": provider}


def attempt(*, username, client) -> backoff.Attempt:
    """Before checking a credential for ``username``: the backoff's verdict; ``Throttled`` (429) while it says wait."""
    verdict = backoff.check(username=username, ip_address=client.ip_address)
    if verdict.wait:
        raise Throttled(wait=verdict.wait)
    return verdict


def refuse(*, client, username="", user=None, reason="", counts=True) -> None:
    """A credential that proved nothing: counted in the backoff (``counts``) and recorded as a failed login."""
    name = username or (user.get_username() if user is not None else "")
    if counts and name:
        backoff.record_failure(username=name, ip_address=client.ip_address)
    record_event(SecurityEventKind.LOGIN_FAILED, user=user, username=name, reason=reason, client=client)


def admit(*, user, client, remember, methods, attempt=None, trusted_device=None, trust_device=False, provider=None):
    """Open a session for ``user``, whose credential (``methods``, as ``amr``) was just checked.

    Answers ``lifecycle.IssuedTokens``, or ``challenges.SecondStepRequired``
    when a password alone met an account with a second factor; raises
    ``EmailUnverified`` (403). ``attempt`` is the backoff's verdict taken
    before the credential was checked, cleared on success. ``trusted_device``:
    the trusted-device cookie the browser sent; ``trust_device``: trust this
    browser once the session is open (a second step's "trust this device").
    ``provider``: for a provider sign-in (``fed``), the slug of the provider
    whose identity was checked (a provider that owns the address's domain
    lets in only its own sign-ins).
    """
    methods = tuple(methods)
    if not user.is_active:  # each way in refuses these first, with its own answer; never let one through
        refuse(user=user, reason="inactive", client=client, counts=False)
        raise AuthenticationFailed()
    _require_single_sign_on(user, client, methods, provider)
    _refuse_unverified_address(user, client)
    if user.mfa_enabled and not SECOND_FACTOR_AMR.intersection(methods):
        if not _trusted_password_login(user=user, client=client, methods=methods, token=trusted_device):
            return challenges.begin(user=user, client=client, remember=remember, first_methods=methods)
    if attempt is not None:
        backoff.record_success(attempt)
    # One transaction: a login that fails after its session was written (the database gone between the two)
    # must leave neither a live session nor a "login succeeded" behind its error answer.
    try:
        with transaction.atomic():
            issued = lifecycle.start_session(user=user, client=client, remember=remember, methods=methods)
            detection.note_login(user=user, client=client)
    except lifecycle.UserGone:
        # Deleted or deactivated since its credential was checked: the answer of an unknown account.
        raise AuthenticationFailed(_("Invalid username or password."), code="invalid_credentials") from None
    if trust_device and SECOND_FACTOR_AMR.intersection(methods):
        issued = dataclasses.replace(issued, trusted_device=trusted.trust(user=user, client=client))
    return issued


def refuse_sign_up_at_owned_domain(*, email) -> None:
    """403 ``sso_required`` for a password sign-up with an address at a domain a provider requires.

    The answer tells nothing about accounts: which domains are owned is
    public (``GET /api/auth/providers/``).
    """
    owner = domains.required_provider(email)
    if owner is not None:
        raise SsoRequired(owner)


def check_reauthentication(*, user, client, methods, provider=None) -> None:
    """"Confirm it's you" in an open session: 403 ``sso_required`` for a password (or another provider's
    identity) when a provider owns the account's domain (``require_for_domains``).

    Its own provider, or a second factor (``otp``, ``hwk``: a code, a
    passkey), still confirms: the session was opened by that provider, and
    a second factor is what its second step takes too. Checked before the
    credential: the caller is signed in, so the answer tells them nothing new.
    """
    methods = tuple(methods)
    if not SECOND_FACTOR_AMR.intersection(methods):
        _require_single_sign_on(user, client, methods, provider)


def _trusted_password_login(*, user, client, methods, token) -> bool:
    if methods != ("pwd",) or token is None:
        return False
    return trusted.recognise(user=user, token=token, client=client) is not None


def _require_single_sign_on(user, client, methods, provider) -> None:
    """403 ``sso_required`` for any way in but the owning provider's, when a provider owns the address's domain."""
    owner = domains.required_provider(user.email)
    if owner is None or ("fed" in methods and provider == owner):
        return
    record_event(SecurityEventKind.LOGIN_FAILED, user=user, reason="sso_required", client=client)
    raise SsoRequired(owner)


def _refuse_unverified_address(user, client) -> None:
    if conf.signup_email_verification() == "mandatory" and user.email_verified_at is None:
        record_event(SecurityEventKind.LOGIN_FAILED, user=user, reason="email_unverified", client=client)
        raise EmailUnverified(user)
