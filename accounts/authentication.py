"""Bearer authentication bound to a live session."""
import uuid
from dataclasses import dataclass

from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from accounts import conf, lifecycle, tokens
from accounts.cookies import binding_cookie

# A genuine access token is a few hundred bytes; refuse huge ones before decoding.
_MAX_TOKEN_BYTES = 4096


@dataclass(frozen=True)
class AccessGrant:
    """What ``request.auth`` holds: the verified token and its session's id."""

    token: Token
    session_id: uuid.UUID


class SessionBoundJWTAuthentication(JWTAuthentication):
    """simplejwt's signature and expiry checks, plus one query for the session.

    The user is loaded only if the token's session is live and the user active,
    so a revoked or ended session or an inactive user is refused at once, in a
    single SQL query.
    """

    def get_raw_token(self, header):
        raw = super().get_raw_token(header)
        if raw is not None and len(raw) > _MAX_TOKEN_BYTES:
            raise InvalidToken("Token is too long.")
        return raw

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        if conf.access_token_binding() and not tokens.binding_matches(token.get("bnd"), binding_cookie(request)):
            raise AuthenticationFailed("This token is bound to another browser.", code="token_binding_mismatch")
        return user, AccessGrant(token=token, session_id=uuid.UUID(token["sid"]))

    def get_user(self, validated_token):
        user_id = validated_token.get(api_settings.USER_ID_CLAIM)
        session_id = validated_token.get("sid")
        if user_id is None or session_id is None:
            raise InvalidToken("Token has no user or session.")
        user = lifecycle.user_for_access_token(session_id=session_id, user_id=user_id)
        if user is None:
            raise AuthenticationFailed("The session has ended. Log in again.", code="session_ended")
        return user
