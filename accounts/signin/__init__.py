"""The one way into an account: the checks every sign-in passes, whatever proved who it is.

Each way in checks its own credential first, then hands the user to
``gate.admit``, which applies, in one place and one order, what every way
in must: the verified address (``SIGNUP_EMAIL_VERIFICATION=mandatory``),
the second step, the login backoff, the session, the new-device notice.

- ``gate``: the shared checks (``attempt`` before a credential is checked,
  ``refuse`` after a wrong one, ``admit`` after a right one);
- ``second_step``: the code or passkey after a password (the ``mfa_token``);
- ``passkey``: passwordless sign-in with a discoverable passkey;
- ``provider``: sign-in through another identity provider (``accounts.federation``).

The password login itself is ``accounts.services.log_in``. This package
sits above the factors (``accounts.mfa``, ``accounts.passkeys``) and the
session lifecycle, and below the account operations and the HTTP layer:
none of those below imports it.
"""
