"""Sign-in through another identity provider: the provider's answer, verified, meets the shared checks.

``accounts.federation.flows.verify_callback`` checks the answer (state,
``iss``, the ID token) and names the person; ``accounts.federation.linking``
finds, makes or links the account by the rules there. A sign-in then goes
through ``gate.admit`` with ``amr`` ``["fed"]``, like a password: an
account with a second factor meets its second step, an unverified address
under ``SIGNUP_EMAIL_VERIFICATION=mandatory`` is refused, a new device is
mailed about. A link and a re-authentication open no session.
"""
import dataclasses

from django.db import transaction
from rest_framework.exceptions import AuthenticationFailed, Throttled

from accounts.federation import flows, linking
from accounts.federation.models import FederationIntent
from accounts.federation.outcomes import (
    ACCOUNT_EXISTS,
    ACCOUNT_UNCONFIRMED,
    EMAIL_UNVERIFIED,
    FAILED,
    SSO_REQUIRED,
    Failed,
)
from accounts.limits import backoff
from accounts.mfa import challenges
from accounts.recovery import flows as recovery
from accounts.signin import gate

AMR = ("fed",)
# A first sign-in refused for what the identity may not do (not for a fault): a failed login in the account's events.
RECORDED_REFUSALS = (ACCOUNT_EXISTS, ACCOUNT_UNCONFIRMED, SSO_REQUIRED)


@dataclasses.dataclass(frozen=True)
class Completed:
    intent: str
    next_path: str
    result: object = None  # IssuedTokens or SecondStepRequired for a sign-in; the Identity for a link


def complete(*, slug, params, cookie, client) -> Completed:
    """Finish what ``flows.start`` began; ``Failed`` (with ``intent``) for every way it can go wrong."""
    verified = flows.verify_callback(slug=slug, params=params, cookie=cookie)
    row, provider, person = verified.flight, verified.provider, verified.person
    try:
        if row.intent == FederationIntent.LINK:
            identity = linking.link(
                user=row.user, session_id=row.session_id, provider=provider, person=person, client=client
            )
            return Completed(intent=row.intent, next_path="/account", result=identity)
        if row.intent == FederationIntent.REAUTHENTICATE:
            try:
                gate.check_reauthentication(user=row.user, client=client, methods=AMR, provider=provider.slug)
            except gate.SsoRequired:
                raise Failed(SSO_REQUIRED, "re-authentication through a provider that does not own the domain") from None
            linking.reauthenticate(
                user=row.user, session_id=row.session_id, provider=provider, person=person, client=client
            )
            return Completed(intent=row.intent, next_path=row.next_path)
        try:
            with transaction.atomic():  # an account made here stays, even when its address must be verified first
                user = linking.account_for(provider=provider, person=person, client=client)
        except Failed as refused:
            if refused.code in RECORDED_REFUSALS:  # recorded after the rollback, so that the record stays
                gate.refuse(client=client, reason=refused.code, counts=False)
            if refused.code == ACCOUNT_UNCONFIRMED:
                _mail_reset(person, client)
            raise
        with transaction.atomic():
            result = _admit(user=user, client=client, provider=provider)
            session = getattr(result, "session", None)
            if session is not None:
                linking.record_session(
                    session=session, provider=provider, person=person, provider_sid=verified.provider_sid
                )
            elif isinstance(result, challenges.SecondStepRequired):
                # The session opens at the second step: it is recorded then (accounts.signin.second_step).
                linking.await_second_step(
                    challenge=challenges.issued(result.mfa_token), provider=provider, person=person,
                    provider_sid=verified.provider_sid,
                )
        return Completed(intent=row.intent, next_path=row.next_path, result=result)
    except Failed as failure:
        failure.intent = row.intent
        raise


def _mail_reset(person, client) -> None:
    """A password-reset link to the account at the address the provider vouched for (bounded per address).

    Not a verification link: the account may be someone else's, made with
    this address and a password of theirs. Using the reset link proves the
    mailbox and ends that password, every session and personal token, and
    the factors added before the address was confirmed
    (``accounts.recovery.flows.confirm_password_reset``); only then does the
    provider's sign-in link to the account.
    """
    try:
        recovery.request_password_reset(email=person.email, client=client)
    except (Throttled, recovery.RecoveryUnavailable):
        pass  # a link went out moments ago, or mail is not set up: the answer is the same


def _admit(*, user, client, provider):
    if not user.is_active:
        gate.refuse(user=user, reason="inactive", client=client, counts=False)
        raise Failed(FAILED, "inactive account")
    attempt = backoff.check(username=user.get_username(), ip_address=client.ip_address)
    try:
        return gate.admit(
            user=user, client=client, remember=True, methods=AMR, attempt=attempt, provider=provider.slug
        )
    except gate.SsoRequired:
        raise Failed(SSO_REQUIRED, "the address's domain belongs to another provider") from None
    except gate.EmailUnverified:
        raise Failed(EMAIL_UNVERIFIED, "address not verified") from None
    except AuthenticationFailed:
        raise Failed(FAILED, "account gone") from None
