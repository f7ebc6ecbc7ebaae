"""Token introspection (RFC 7662): other services ask whether an access token is still good.

A service that verifies access tokens with the JWKS accepts one until it
expires; Gatehouse refuses it as soon as its session ends. Introspection
carries that answer to the service that asks: the same signature, expiry,
issuer and audience checks as Gatehouse's own bearer authentication, then the
same one-query session check, always asked of the database (never a
process's memory of live sessions), so a logout, a revocation, a password
change or a deactivated user makes the token inactive at once, on every server.
A session of an account ``MFA_REQUIRED`` holds to enrolment is inactive too:
it may only enrol, at Gatehouse itself.

The callers are services, not browsers: they prove themselves with
``INTROSPECTION_SECRET``. Anything that is not a valid access token of a live
session is ``{"active": false}``, never an error, and the answer never says
why. The access-token binding cookie (``ACCESS_TOKEN_BINDING``) is
Gatehouse's own check on requests made to it; introspection cannot see the
caller's browser and does not apply it.
"""
import hashlib
import hmac

from rest_framework.exceptions import APIException

from accounts import conf
from accounts.mfa import policy
from accounts.personal_tokens import flows as personal_token_flows
from accounts.personal_tokens import tokens as personal_tokens
from accounts.sessions import lifecycle
from accounts.sessions.authentication import MAX_TOKEN_BYTES, SessionBoundJWTAuthentication

INACTIVE = {"active": False}

# The claims an active answer repeats from the token, when the token has them (RFC 7662 §2.2).
# ``auth_time`` and ``amr`` (RFC 8176) say when and how this token's session last authenticated,
# so a service can ask for a fresher or stronger one (step-up, as RFC 9470 describes).
_REPORTED_CLAIMS = ("sub", "sid", "exp", "iat", "iss", "aud", "jti", "auth_time", "amr")


def client_authorized(*, authorization) -> bool:
    """Whether an ``Authorization`` header value is ``Bearer <INTROSPECTION_SECRET>``.

    Both sides are hashed before a constant-time comparison, so neither the
    secret's bytes nor its length leak through the time an answer takes.
    """
    secret = conf.introspection_secret()
    if not secret or not isinstance(authorization, str):
        return False
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(_digest(credentials.strip()), _digest(secret))


def introspect(*, token: str) -> dict:
    """RFC 7662's answer for ``token``: its claims and user when it is a valid access token of a live session.

    A personal access token (``gat_…``) is answered too, with its ``scope``:
    the service that asks decides what the token may do there.
    """
    raw = token.encode("utf-8", "surrogatepass")
    if not raw or len(raw) > MAX_TOKEN_BYTES:
        return INACTIVE
    if personal_tokens.looks_like_personal_token(raw):
        return _introspect_personal_token(token)
    try:
        grant = SessionBoundJWTAuthentication().verified_grant(raw)
    except APIException:  # InvalidToken, AuthenticationFailed: not a token of ours that could be live
        return INACTIVE
    user = lifecycle.user_for_session(session_id=grant.session_id, user_pk=grant.user_pk, remembered=False)
    if user is None or policy.enrolment_required(user):  # such a session serves only enrolment, here
        return INACTIVE
    claims = grant.token.payload
    answer = {"active": True, **{name: claims[name] for name in _REPORTED_CLAIMS if name in claims}}
    answer.setdefault("sub", str(user.pk))
    answer["token_type"] = claims.get("token_type", "access")
    answer["username"] = user.get_username()
    return answer


def _introspect_personal_token(token: str) -> dict:
    try:
        row = personal_token_flows.authenticate(raw_token=token)
    except personal_token_flows.TokenRejected:
        return INACTIVE
    if policy.enrolment_required(row.user):  # refused everywhere, as by the authentication
        return INACTIVE
    return {
        "active": True,
        "token_type": "personal_token",
        "scope": row.scope_string,
        "sub": str(row.user.pk),
        "username": row.user.get_username(),
        "iat": int(row.created_at.timestamp()),
        "exp": int(row.expires_at.timestamp()),
    }


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()
