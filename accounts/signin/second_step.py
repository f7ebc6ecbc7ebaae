"""The second step of a login: a code or a passkey for the ``mfa_token`` a right password got.

The token itself (issued, bound to the client and the password, single
use) is ``accounts.mfa.challenges``; what proves the step is one of
``accounts.mfa.methods``. Here they meet the shared checks: wrong proofs
count in the login backoff under the account's name, exactly as wrong
passwords do, and a right one goes through ``gate.admit`` like any sign-in.
A wrong proof leaves the token usable (within the backoff); the success that
opens the session spends it.
"""
from django.db import transaction

from accounts.federation import linking
from accounts.mfa import challenges, methods, totp
from accounts.passkeys import flows as passkey_flows
from accounts.sessions import lifecycle
from accounts.signin import gate


def complete(*, mfa_token, proof: dict, client, trust_device=False) -> lifecycle.IssuedTokens:
    """Check the second step for ``mfa_token`` and open the session; ``proof`` is e.g. ``{"code": "123456"}``.

    ``trust_device``: let this browser skip the second step of this account from now on (``gate.admit``).
    """
    challenge = challenges.live_challenge(mfa_token, client)
    user = challenge.user
    attempt = gate.attempt(username=user.get_username(), client=client)
    try:
        with transaction.atomic():
            # Claim the token first: of two requests racing with it, one wins.
            if not challenges.claim(challenge):
                raise challenges.MfaTokenInvalid()
            # A passkey's answer must be to the options issued for this very attempt.
            method = methods.verify(user=user, proof={**proof, "binding": challenge.token_digest}, client=client)
            if method is None:
                raise _WrongProof  # rolls the claim back: the token may be tried again
    except _WrongProof:
        gate.refuse(user=user, reason="code_invalid", client=client)
        if totp.was_used_already(user=user, code=proof.get("code")):
            raise challenges.CodeUsed() from None
        raise challenges.CodeInvalid() from None
    federated = "fed" in challenge.first_methods.split()
    result = gate.admit(
        user=user, client=client, remember=challenge.remember, methods=(*challenge.first_methods.split(), method.amr),
        attempt=attempt, trust_device=trust_device,
        # The provider whose sign-in this completes: the company-domain rule is checked again with it.
        provider=linking.pending_provider(challenge=challenge) if federated else None,
    )
    if federated:
        # A provider sign-in's session: recorded for the provider's back-channel logout.
        linking.record_after_second_step(challenge=challenge, session=result.session)
    return result


def passkey_options(*, mfa_token, client) -> dict:
    """WebAuthn options for a passkey as the second step of the attempt ``mfa_token`` (which stays unused)."""
    challenge = challenges.live_challenge(mfa_token, client)
    return passkey_flows.second_step_options(user=challenge.user, binding=challenge.token_digest)


class _WrongProof(Exception):
    pass
