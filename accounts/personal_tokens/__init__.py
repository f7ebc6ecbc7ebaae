"""Personal access tokens: long-lived, named credentials for scripts and CI jobs.

A token is created by its owner from a browser session (with a recent
authentication), shown once, and stored only as a keyed digest. It is sent
as ``Authorization: Bearer gat_…``, works on the routes that declare a scope
it carries (``token_scope``, see ``scopes``) and is refused on every other
one. Logging out everywhere leaves it alone; revoking it, its expiry, a
password reset and deactivation end it.
"""
