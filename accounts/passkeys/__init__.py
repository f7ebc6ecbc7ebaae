"""Passkeys (WebAuthn): register several, name and remove them, sign in with one.

``relying_party`` says who we are to the browser (RP ID, expected origins);
``challenges`` keeps the one-time challenges server-side; ``ceremonies``
verifies what an authenticator sent with py_webauthn; ``flows`` is what the
API and the sign-in path (``accounts.signin``) call: the user's passkeys, the
ceremonies of signing in, re-authenticating and the second step, security
events and mail notices.
"""
