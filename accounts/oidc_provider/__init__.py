"""Gatehouse as an OpenID Provider: "Sign in with Gatehouse" for other applications.

Authorization code with PKCE (S256), OpenID Connect ID tokens signed with the
JWKS keys, rotating refresh tokens, RFC 7009 revocation, userinfo,
RP-initiated and back-channel logout. Every grant a client holds is a
Gatehouse session (``accounts.RefreshSession``), so every way of ending
sessions ends it too. ``docs/openid-provider.md`` says how to connect an app.
"""
