"""Passkeys (WebAuthn): register several, name and remove them, sign in with one.

``relying_party`` says who we are to the browser (RP ID, expected origins);
``challenges`` keeps the one-time challenges server-side; ``ceremonies``
verifies what an authenticator sent with py_webauthn; ``flows`` is what the
API and the two-step login call (sessions, security events, mail notices).
"""
