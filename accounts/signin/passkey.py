"""Passwordless sign-in: a discoverable passkey, with the user verified by the authenticator.

``accounts.passkeys.flows.verify_sign_in`` checks the ceremony and names
the passkey; the sign-in then goes through ``gate.admit`` like a password:
an unverified address under ``SIGNUP_EMAIL_VERIFICATION=mandatory`` is
refused (403 ``email_unverified``), and a device the account never used
is mailed to its owner. A passkey with user verification is two factors,
so no second step follows (``amr`` ``["hwk", "mfa"]``).

A failed ceremony is recorded but not counted in the password backoff: the
answer names no account before it verifies, and a signature cannot be
guessed. A success clears the backoff of its account and client, as any
completed login does.
"""
from accounts.limits import backoff
from accounts.passkeys import flows as passkey_flows
from accounts.signin import gate


def log_in(*, credential, client, remember=True):
    """Open a session for the owner of the passkey that signed ``credential``; one 401 for every failure."""
    passkey = passkey_flows.verify_sign_in(credential=credential, client=client)
    user = passkey.user
    attempt = backoff.check(username=user.get_username(), ip_address=client.ip_address)
    return gate.admit(user=user, client=client, remember=remember, methods=passkey_flows.AMR, attempt=attempt)
