"""Sign-in through another identity provider: ``start`` sends the browser there, ``verify_callback`` reads its answer.

authlib does the protocol: the authorization URL with PKCE ``S256`` and the
``nonce``, the code exchange (client authentication as the provider's
metadata allows); ``id_tokens`` checks the ID token with it. Ours are the
rules around it: the state kept server-side (``state``), RFC 9207's ``iss``
parameter, the provider's access token used once (userinfo, or GitHub's
API) and then dropped — never stored, never logged — and what an identity
may do with an account (``linking``, and ``accounts.signin.provider`` for
the sign-in itself).
"""
import dataclasses
import logging
from urllib.parse import unquote, urlsplit

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from requests import RequestException

from accounts import sealing
from accounts.federation import id_tokens, kinds, metadata, state
from accounts.federation.kinds.base import Refused
from accounts.federation.models import FederationIntent, Provider
from accounts.federation.outcomes import CANCELLED, FAILED, Failed
from accounts.text import has_unstorable

logger = logging.getLogger(__name__)

_NEXT_MAX = 500


class CannotConfirmPresence(Exception):
    """"Confirm it's you" through a provider that cannot be asked for a fresh sign-in (``Kind.confirms_presence``)."""


class ProviderUnavailable(Exception):
    """No enabled provider by that slug (404), or its metadata cannot be had (503)."""

    def __init__(self, *, unknown: bool):
        super().__init__("unknown provider" if unknown else "provider unavailable")
        self.unknown = unknown


@dataclasses.dataclass(frozen=True)
class Started:
    authorization_url: str
    cookie: str  # the state cookie's value (HttpOnly, state.COOKIE_PATH)
    max_age: int


def enabled_providers():
    return Provider.objects.filter(enabled=True).order_by("name", "slug")


def safe_next(value) -> str:
    """``value`` when it is a path on this site, "/" otherwise (``//evil``, ``https://evil``, ``/\\evil``, encoded)."""
    if not isinstance(value, str) or not value or len(value) > _NEXT_MAX:
        return "/"
    for form in (value, unquote(value), unquote(unquote(value))):
        if not form.startswith("/") or form.startswith("//") or "\\" in form:
            return "/"
        if has_unstorable(form):
            return "/"
        parts = urlsplit(form)
        if parts.scheme or parts.netloc:
            return "/"
    return value


def start(*, slug, intent, redirect_uri, next_path="/", user=None, session_id=None) -> Started:
    """Begin a sign-in (``intent`` login), a link or a re-authentication at provider ``slug``."""
    provider = Provider.objects.filter(slug=slug, enabled=True).first()
    if provider is None:
        raise ProviderUnavailable(unknown=True)
    kind = kinds.of(provider)
    if intent == FederationIntent.REAUTHENTICATE and not kind.confirms_presence:
        raise CannotConfirmPresence()
    if provider.client_secret_opens is False:
        # A round trip would only end in the provider's invalid_client, which blames the provider.
        logger.error(
            "Sign-in provider %s: its stored client secret does not open under this DJANGO_SECRET_KEY "
            "(set with another key); set it again with `manage.py provider set %s --client-secret-env …`.",
            provider.slug, provider.slug,
        )
        raise ProviderUnavailable(unknown=False)
    try:
        doc = metadata.document(provider)
    except metadata.Unavailable as error:
        logger.warning("Sign-in provider %s unavailable: %s", provider.slug, error)
        raise ProviderUnavailable(unknown=False) from None
    cookie, row = state.begin(
        provider=provider, intent=intent, redirect_uri=redirect_uri, next_path=safe_next(next_path),
        user=user, session_id=session_id,
    )
    client = _oauth_client(provider, kind, doc, redirect_uri)
    extra = {"nonce": row.nonce} if kind.openid else {}
    if intent == FederationIntent.REAUTHENTICATE and kind.openid:
        # A re-authentication must prove presence, not reuse the provider's session; max_age=0 makes the
        # provider say when the person signed in (auth_time), which _identify then holds to this start.
        extra.update(prompt="login", max_age=0)
    url, _ = client.create_authorization_url(
        doc["authorization_endpoint"], state=row.state, code_verifier=row.plain_verifier, **extra
    )
    return Started(authorization_url=url, cookie=cookie, max_age=int((row.expires_at - row.created_at).total_seconds()))


@dataclasses.dataclass(frozen=True)
class Verified:
    """What the provider vouched for, and the sign-in in flight it answers."""

    provider: Provider
    flight: object  # the FederationState, used up
    person: object  # kinds.Person
    provider_sid: str = ""


def verify_callback(*, slug, params, cookie) -> Verified:
    """The provider sent the browser back with ``params``: who it vouches for; ``Failed`` otherwise.

    ``Failed.intent`` says where the browser goes back to (the login or the account page).
    """
    intent = FederationIntent.LOGIN
    try:
        row = state.take(cookie=cookie, slug=slug, state=params.get("state"))
        provider, intent = row.provider, row.intent
        if not provider.enabled:
            raise Failed(FAILED, f"{slug}: provider disabled since the sign-in started")
        person, provider_sid = _identify(provider=provider, row=row, params=params)
        return Verified(provider=provider, flight=row, person=person, provider_sid=provider_sid)
    except Failed as failure:
        logger.info("Sign-in through %s refused: %s (%s)", slug, failure.code, failure.reason)
        failure.intent = intent
        raise


def _identify(*, provider, row, params):
    """The person the provider vouches for, and its session id (``sid``); ``Failed`` for anything else."""
    kind = kinds.of(provider)
    if params.get("error"):
        # The browser brought it: repr and cut, so it cannot write lines of its own into the log.
        outcome = CANCELLED if params.get("error") == "access_denied" else FAILED
        raise Failed(outcome, f"provider: {params['error'][:100]!r}")
    try:
        doc = metadata.document(provider)
    except metadata.Unavailable as error:
        raise Failed(FAILED, str(error)) from None
    # RFC 9207: the answer must come from the provider we sent the browser to (a mix-up attack swaps them).
    iss = params.get("iss")
    if iss is not None:
        if not kind.authorization_response_issuer_ok(metadata=doc, iss=iss):
            raise Failed(FAILED, f"iss parameter {iss!r} is not this provider's")
    elif doc.get("authorization_response_iss_parameter_supported") is True:
        raise Failed(FAILED, "iss parameter missing though the provider sends it")
    code = params.get("code")
    if not isinstance(code, str) or not code or len(code) > 2048:
        raise Failed(FAILED, "no code")
    try:
        verifier = row.code_verifier
    except sealing.CannotUnseal:
        raise Failed(FAILED, "verifier does not open") from None
    client = _oauth_client(provider, kind, doc, row.redirect_uri)
    try:
        token = client.fetch_token(
            doc["token_endpoint"], code=code, code_verifier=verifier, grant_type="authorization_code",
            timeout=metadata.TIMEOUT,
        )
    except (AuthlibBaseError, RequestException, ValueError) as error:
        raise Failed(FAILED, f"token request refused: {getattr(error, 'error', type(error).__name__)}") from None
    access_token = token.get("access_token")
    try:
        if not kind.openid:
            if not access_token:
                raise Refused("no access token")
            return kind.person(api=client, access_token=access_token), ""
        claims = id_tokens.verify(
            id_token=token.get("id_token"), doc=doc, kind=kind, client_id=provider.client_id, nonce=row.nonce,
            access_token=access_token,
        )
        if row.intent == FederationIntent.REAUTHENTICATE:
            id_tokens.require_sign_in_since(claims, row.created_at)
        userinfo = _userinfo(client, doc, access_token) if access_token and not claims.get("email") else None
        person = kind.person(claims=claims, userinfo=userinfo)
        sid = claims.get("sid")
        usable = isinstance(sid, str) and not has_unstorable(sid)
        return person, sid if usable else ""  # without it, a logout token naming the sub still ends the session
    except Refused as refused:
        raise Failed(FAILED, refused.reason) from None
    except (RequestException, ValueError, metadata.Unavailable) as error:
        raise Failed(FAILED, f"{type(error).__name__}") from None
    finally:
        token.clear()  # the provider's tokens go no further than this function
        client.token = None


def _userinfo(client, doc, access_token):
    """The userinfo answer (the access token's one use), when the ID token lacks the address; None if none."""
    endpoint = doc.get("userinfo_endpoint")
    if not endpoint:
        return None
    response = client.get(
        endpoint, headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        timeout=metadata.TIMEOUT, withhold_token=True,
    )
    if response.status_code != 200:
        raise Refused(f"userinfo answered {response.status_code}")
    body = response.json()
    return body if isinstance(body, dict) else None


def _oauth_client(provider, kind, doc, redirect_uri) -> OAuth2Session:
    secret = provider.client_secret
    methods = doc.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if not secret:
        auth_method = "none"
    elif "client_secret_basic" in methods:
        auth_method = "client_secret_basic"
    else:
        auth_method = "client_secret_post"
    client = OAuth2Session(
        client_id=provider.client_id, client_secret=secret or None, scope=" ".join(kind.scopes(provider)),
        redirect_uri=redirect_uri, code_challenge_method="S256", token_endpoint_auth_method=auth_method,
    )
    client.max_redirects = 0
    return client
