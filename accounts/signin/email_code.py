"""Sign-in by a one-time code mailed to the account's address (``accounts.email_codes``).

A code, not a link: mail scanners open links, and would spend them. The
code is a first factor proving the mailbox, not a second factor: its
``amr`` is ``["email"]`` (RFC 8176 has no value for it; ``otp`` would tell
``gate.admit`` and the step-up routes that a second factor was used), so an
account with a second factor answers 202 ``mfa_token`` as after a password.

A right code verifies the address before ``gate.admit`` (the mailbox was
just proven, so ``SIGNUP_EMAIL_VERIFICATION=mandatory`` lets it in). A
wrong code is recorded (``gate.refuse``) but not counted in the password
backoff: codes have their own limits (five tries each, per address and per
client), and the answer names no account. A success clears the backoff of
its account and client, as every completed login does.
"""
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed

from accounts import conf
from accounts.email_codes import flows as email_codes
from accounts.limits import backoff
from accounts.limits.throttling import throttle_address
from accounts.signin import gate

AMR = ("email",)


class CodeInvalid(AuthenticationFailed):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = _("That code is not right, or it expired. Check the latest mail, or ask for a new code.")
    default_code = "code_invalid"


def request_code(*, email) -> None:
    """Mail a code to the active account with ``email``, if there is one; the same (silent) answer either way."""
    email_codes.ensure_available()
    email_codes.send(email=email)


def log_in(*, email, code, client, remember=True):
    """Open a session (or ask for the second step) with the code mailed to ``email``; ``CodeInvalid`` otherwise."""
    email_codes.ensure_available()
    throttle_address(email, scope="login-code-confirm", rate=conf.login_code_confirm_rate_per_address())
    verdict = email_codes.verify(email=email, code=code)
    user = verdict.user
    if user is None:
        gate.refuse(user=verdict.owner, reason="code_invalid", client=client, counts=False)
        raise CodeInvalid()
    attempt = backoff.check(username=user.get_username(), ip_address=client.ip_address)
    email_codes.prove_mailbox(user=user, client=client)
    return gate.admit(user=user, client=client, remember=remember, methods=AMR, attempt=attempt)
