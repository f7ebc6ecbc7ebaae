"""RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): checking the request, ending the sessions.

The request names its client (``client_id``, or the audience of an
``id_token_hint`` we signed); a ``post_logout_redirect_uri`` must be one
registered for that client, matched exactly, or nothing is redirected. The
checked request goes to the browser app signed, as an authorization request
does. There the user's Gatehouse session ends: at once when the hint names
this very browser session (the application shows whose sign-out it is),
after a question otherwise (a link on any site could point here).
"""
import uuid
from dataclasses import asdict, dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core import signing
from django.utils.translation import gettext as _

from accounts.models import RefreshSession, RevocationReason
from accounts.oidc_provider import clients, tokens
from accounts.oidc_provider.models import ClientGrant
from accounts.sessions import lifecycle

_SALT = "gatehouse.oidc.logout-request"
TTL = 600


class Unanswerable(Exception):
    def __init__(self, description):
        super().__init__(description)
        self.description = description


@dataclass(frozen=True)
class LogoutRequest:
    client_name: str
    redirect_to: str  # the post-logout redirect with state, or ""
    grant_session_id: str  # the hint's sid, or ""
    browser_session_id: str  # the browser session the hinted grant came from, or ""


def check(params) -> str:
    """The sealed request for the browser app; ``Unanswerable`` when it cannot be honoured."""
    hint = tokens.read_id_token_hint(params.get("id_token_hint")) if params.get("id_token_hint") else None
    if params.get("id_token_hint") and hint is None:
        raise Unanswerable(_("The id_token_hint is not an ID token issued by Gatehouse."))
    client_id = params.get("client_id") or ""
    if hint is not None:
        audience = hint["aud"] if isinstance(hint["aud"], str) else (hint["aud"] or [""])[0]
        if client_id and client_id != audience:
            raise Unanswerable(_("The client_id is not the one the id_token_hint was issued to."))
        client_id = audience
    client = clients.active_client(client_id) if client_id else None
    if client_id and client is None:
        raise Unanswerable(_("This application is not registered with Gatehouse."))
    redirect = params.get("post_logout_redirect_uri") or ""
    redirect_to = ""
    if redirect:
        if client is None:
            raise Unanswerable(_("A post_logout_redirect_uri needs the client_id or an id_token_hint."))
        if redirect not in client.post_logout_redirect_uri_list:
            raise Unanswerable(_("The post_logout_redirect_uri is not one registered for this application."))
        parts = urlsplit(redirect)
        query = parse_qsl(parts.query, keep_blank_values=True)
        if params.get("state"):
            query.append(("state", params["state"]))
        redirect_to = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    grant_sid, browser_sid = "", ""
    if hint is not None:
        grant = ClientGrant.objects.filter(pk=_uuid(hint.get("sid")), client=client).select_related("session").first()
        if grant is not None and str(grant.session.user_id) == str(hint.get("sub")):
            grant_sid, browser_sid = str(grant.session_id), str(grant.browser_session_id)
            # The application asked: its own grant ends now, whoever follows the link.
            if grant.session.revoked_at is None:
                lifecycle.revoke_session(session=grant.session, reason=RevocationReason.LOGOUT)
    request = LogoutRequest(client_name=client.name if client else "", redirect_to=redirect_to,
                            grant_session_id=grant_sid, browser_session_id=browser_sid)
    return signing.dumps(asdict(request), salt=_SALT, compress=True)


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def unseal(value) -> LogoutRequest | None:
    if not isinstance(value, str) or len(value) > 4000:
        return None
    try:
        return LogoutRequest(**signing.loads(value, salt=_SALT, max_age=TTL))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def end_browser_session(*, session_id, client_info) -> bool:
    """End the Gatehouse session the user signed out of (and, through it, every app it signed in to)."""
    session = RefreshSession.objects.select_related("user").filter(pk=session_id).first()
    if session is None:
        return False
    return lifecycle.revoke_session(session=session, reason=RevocationReason.LOGOUT, client=client_info)
