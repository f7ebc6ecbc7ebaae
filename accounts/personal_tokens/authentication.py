"""``Authorization: Bearer gat_…``: the DRF authentication for personal access tokens.

It runs before the JWT authentication and answers only for credentials that
start with ``gat_``; for anything else it returns None and the JWT class
decides. A personal token is accepted only by views that declare the scope it
needs (``token_scope``, see ``accounts.personal_tokens.scopes``), and only when
the token carries that scope: otherwise 403 ``personal_token_not_allowed``
(the view takes no token) or 403 ``insufficient_scope`` with the RFC 6750
challenge. The check lives here, not in a permission class, because a view
that sets its own ``permission_classes`` would silently drop a default
permission: with the check in authentication, a route added tomorrow refuses
personal tokens unless it declares a scope.
"""
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied

from accounts import language
from accounts.limits.net import client_ip
from accounts.mfa import policy
from accounts.personal_tokens import flows, tokens
from accounts.personal_tokens.scopes import required_scope

# A genuine token is TOKEN_LENGTH characters; anything much longer is not worth parsing.
_MAX_CREDENTIAL_BYTES = 256


class PersonalTokenNotAllowed(PermissionDenied):
    default_detail = _(
        "A personal access token cannot be used here: sessions, tokens, second factors, email and password "
        "are managed only from a signed-in browser session."
    )
    default_code = "personal_token_not_allowed"


class InsufficientScope(PermissionDenied):
    """RFC 6750 §3.1: the token is good but lacks the scope; the challenge names the one needed."""

    default_code = "insufficient_scope"

    def __init__(self, scope):
        super().__init__(
            _("This personal access token does not have the scope this route needs: %(scope)s.") % {"scope": scope.name}
        )
        # DRF's exception handler sends ``auth_header`` as WWW-Authenticate, whatever the status.
        self.auth_header = f'Bearer error="insufficient_scope", scope="{scope.name}"'


@dataclass(frozen=True)
class PersonalTokenGrant:
    """What ``request.auth`` holds for a personal token. It has no session: views that need one never see it."""

    token_id: uuid.UUID
    name: str
    expires_at: datetime
    user_pk: object
    scopes: tuple = ()


class PersonalTokenAuthentication(BaseAuthentication):
    """One indexed query (token + user), a constant-time digest check, and at most one UPDATE a minute (last use)."""

    www_authenticate_realm = "api"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != b"bearer" or not tokens.looks_like_personal_token(parts[1]):
            return None
        raw = parts[1]
        # Too long or not ASCII: no token of ours, refused like a forged one.
        presented = raw.decode("ascii", errors="replace") if len(raw) <= _MAX_CREDENTIAL_BYTES else ""
        try:
            row = flows.authenticate(raw_token=presented)
        except flows.TokenRejected as rejected:
            raise AuthenticationFailed(rejected.detail, code=rejected.code) from None
        # The token is the owner's: what follows, refusals included, is said in their language.
        language.activate_saved(row.user)
        view = (request.parser_context or {}).get("view")
        needed = required_scope(view, request.method)
        if needed is None:
            raise PersonalTokenNotAllowed()
        if not row.has_scope(needed.name):
            raise InsufficientScope(needed)
        policy.check_personal_token(user=row.user)
        flows.record_use(token=row, ip_address=client_ip(request))
        grant = PersonalTokenGrant(
            token_id=row.pk, name=row.name, expires_at=row.expires_at, user_pk=row.user_id, scopes=tuple(row.scopes),
        )
        return row.user, grant

    def authenticate_header(self, request):
        # DRF takes a 401's challenge from the first authentication class: the same one the JWT class sends.
        return f'Bearer realm="{self.www_authenticate_realm}"'
