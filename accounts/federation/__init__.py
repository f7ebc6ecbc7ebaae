"""Sign-in with other identity providers (OpenID Connect and OAuth 2.0).

Providers are rows (``models.Provider``), each of a kind (``kinds``) that
knows how to find its endpoints and read its user. ``flows`` starts a sign-in
and completes it at the callback; an identity is the pair (provider,
subject), never the email address (``accounts``).
"""
