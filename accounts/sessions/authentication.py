"""Bearer authentication bound to a live session.

With ``ACCESS_TOKEN_BINDING=cookie`` an access token holds the hash of a
value the browser carries in the ``access_binding`` cookie; its name is
kept here, with the check that reads it (the HTTP layer sets it).
"""
import uuid
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from accounts import conf, language
from accounts.mfa import policy
from accounts.sessions import lifecycle, tokens
from accounts.sessions.verified_tokens import verified_tokens

# A genuine access token is a few hundred bytes; refuse huge ones before decoding.
MAX_TOKEN_BYTES = 4096
BINDING_COOKIE = "access_binding"


class SessionEnded(AuthenticationFailed):
    """The token's session was revoked or ended, or its user deactivated: log in again."""

    default_detail = _("The session has ended. Log in again.")
    default_code = "session_ended"


def binding_cookie(request):
    return request.COOKIES.get(BINDING_COOKIE)


@dataclass(frozen=True)
class AccessGrant:
    """What ``request.auth`` holds: the verified token, its session's id and its user's primary key.

    One grant serves every request that presents the same token (see
    ``verified_tokens``): read it, never change it.
    """

    token: Token
    session_id: uuid.UUID
    user_pk: object


class SessionBoundJWTAuthentication(JWTAuthentication):
    """simplejwt's signature and expiry checks, plus the session's liveness.

    The user is loaded only if the token's session is live and the user active,
    so a revoked or ended session or an inactive user is refused at once: in
    a single SQL query, or on PostgreSQL from this process's memory of live
    sessions, which the database's notifications keep true
    (``live_sessions``). A token's signature is checked once per process
    (``verified_tokens``); its expiry and its session on every request.
    """

    def get_raw_token(self, header):
        raw = super().get_raw_token(header)
        if raw is not None and len(raw) > MAX_TOKEN_BYTES:
            raise InvalidToken(_("Token is too long."))
        return raw

    def authenticate(self, request):
        header = self.get_header(request)
        raw_token = None if header is None else self.get_raw_token(header)
        if raw_token is None:
            return None
        grant = self.verified_grant(raw_token)
        if conf.access_token_binding() and not tokens.binding_matches(grant.token.get("bnd"), binding_cookie(request)):
            raise AuthenticationFailed(_("This token is bound to another browser."), code="token_binding_mismatch")
        user = lifecycle.user_for_session(session_id=grant.session_id, user_pk=grant.user_pk)
        if user is None:
            raise SessionEnded()
        # The session is the owner's: what follows, refusals included, is said in their language.
        language.activate_saved(user)
        policy.check_session(user=user, view=(request.parser_context or {}).get("view"))
        return user, grant

    def verified_grant(self, raw_token) -> AccessGrant:
        """The grant of a valid token: from this process's memory, or checked in full and remembered."""
        grant = verified_tokens.get(raw_token)
        if grant is None:
            token = self.get_validated_token(raw_token)
            grant = _grant(token)
            verified_tokens.remember(raw_token, grant, expires=token["exp"])
        return grant


def _grant(token) -> AccessGrant:
    user_id = token.get(api_settings.USER_ID_CLAIM)
    session_id = token.get("sid")
    if user_id is None or session_id is None:
        raise InvalidToken(_("Token has no user or session."))
    identity = lifecycle.access_identity(session_id=session_id, user_id=user_id)
    if identity is None:  # signed by us, yet no session of ours can match it
        raise SessionEnded()
    session_uuid, user_pk = identity
    return AccessGrant(token=token, session_id=session_uuid, user_pk=user_pk)
