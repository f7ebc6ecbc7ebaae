"""Second factors: an authenticator app (TOTP), recovery codes, and the second step of a login.

- ``crypto``: the TOTP secret encrypted at rest, keyed digests of codes and tokens;
- ``totp``: enrol, confirm, remove an authenticator app, and check its codes once each;
- ``recovery_codes``: ten single-use codes, stored as digests, replaced as a set;
- ``methods``: the registry of second steps (a TOTP code, a recovery code, …) that
  a login and a re-authentication dispatch to, so another kind (a passkey) plugs in;
- ``factors``: what a user has enrolled, the ``mfa_enabled`` flag the login reads,
  the administrator's reset, and what a password reset ends;
- ``challenges``: the single-use ``mfa_token`` between the password and the code
  (``accounts.signin.second_step`` completes it);
- ``notices``: the security event and the mail for every change.
"""
