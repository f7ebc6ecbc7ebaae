"""Checking an authorization request, and carrying it through sign-in and consent.

Two kinds of error (RFC 6749 §4.1.2.1): without a known client and an
exactly registered redirect URI nothing may be redirected (``Unanswerable``:
shown on our own page); every later error goes back to that redirect URI
with ``state`` and ``iss`` (``Redirectable``).

A checked request travels to the browser app signed (``django.core.signing``,
ten minutes): it holds nothing secret (every value came in the client's
URL), and the signature keeps anyone from changing a value on the way.
"""
import time
from dataclasses import asdict, dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core import signing
from django.utils.translation import gettext as _

from accounts.oidc_provider import clients, scopes, tokens

_SALT = "gatehouse.oidc.authorization-request"
REQUEST_TTL = 600
PROMPTS = {"none", "login", "consent"}
_MAX_PARAMETER = 500


class Unanswerable(Exception):
    """An error with no registered redirect URI to go to: shown on Gatehouse's page."""

    def __init__(self, description):
        super().__init__(description)
        self.description = description


class Redirectable(Exception):
    """An RFC 6749 error answered to the client's redirect URI."""

    def __init__(self, error, description, *, redirect_uri, state):
        super().__init__(description)
        self.error, self.description = error, description
        self.redirect_uri, self.state = redirect_uri, state

    def location(self) -> str:
        return response_location(
            self.redirect_uri, {"error": self.error, "error_description": self.description, "state": self.state}
        )


@dataclass(frozen=True)
class AuthorizationRequest:
    client_id: str
    redirect_uri: str
    scopes: str
    state: str
    nonce: str
    code_challenge: str
    prompt: str
    max_age: int | None
    acr_requested: bool
    issued_at: int

    def error(self, error, description) -> Redirectable:
        return Redirectable(error, description, redirect_uri=self.redirect_uri, state=self.state)

    def scope_list(self) -> list[str]:
        return self.scopes.split()


def response_location(redirect_uri: str, params: dict) -> str:
    """The redirect URI with ``params`` (and RFC 9207's ``iss``) added to its query; empty values left out."""
    parts = urlsplit(redirect_uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(key, value) for key, value in params.items() if value not in (None, "")]
    query.append(("iss", tokens.issuer()))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _single(params, name) -> str:
    values = params.getlist(name) if hasattr(params, "getlist") else [params.get(name)]
    values = [value for value in values if value is not None]
    if len(values) > 1:
        raise ValueError(name)
    return values[0] if values else ""


def check(params) -> AuthorizationRequest:
    """Check the query (or form) of ``/oauth/authorize/``; raises ``Unanswerable`` or ``Redirectable``."""
    try:
        client_id = _single(params, "client_id")
        redirect_uri = _single(params, "redirect_uri")
    except ValueError:
        raise Unanswerable(_("The request repeats client_id or redirect_uri.")) from None
    client = clients.active_client(client_id)
    if client is None:
        raise Unanswerable(_("This application is not registered with Gatehouse."))
    if not redirect_uri:
        raise Unanswerable(_("The request names no redirect_uri."))
    if redirect_uri not in client.redirect_uri_list:
        raise Unanswerable(_("The redirect_uri is not one registered for this application."))
    try:
        values = {name: _single(params, name) for name in (
            "state", "response_type", "scope", "nonce", "code_challenge", "code_challenge_method", "prompt",
            "max_age", "response_mode", "request", "request_uri", "acr_values", "claims",
        )}
    except ValueError as repeated:
        state = params.get("state", "")
        raise Redirectable("invalid_request", f"The parameter {repeated} is repeated.",
                           redirect_uri=redirect_uri, state=state) from None

    def fail(error, description):
        return Redirectable(error, description, redirect_uri=redirect_uri, state=values["state"])

    if any(len(value) > _MAX_PARAMETER for value in values.values()):
        raise fail("invalid_request", "A parameter is too long.")
    if values["request"]:
        raise fail("request_not_supported", "Request objects are not supported.")
    if values["request_uri"]:
        raise fail("request_uri_not_supported", "request_uri is not supported.")
    if values["response_type"] != "code":
        raise fail("unsupported_response_type", "Only response_type=code is supported.")
    if values["response_mode"] not in ("", "query"):
        raise fail("invalid_request", "Only response_mode=query is supported.")
    asked = scopes.parse(values["scope"])
    if scopes.OPENID not in asked:
        raise fail("invalid_scope", "The scope must include openid.")
    unknown = [scope for scope in asked if scope not in scopes.SUPPORTED]
    if unknown:
        raise fail("invalid_scope", f"Unknown scope: {' '.join(unknown)}.")
    if scopes.OFFLINE_ACCESS in asked and not client.allow_offline_access:
        asked.remove(scopes.OFFLINE_ACCESS)  # granted without it: no refresh token (OIDC Core §11)
    if not values["code_challenge"]:
        raise fail("invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256.")
    if values["code_challenge_method"] != "S256":
        raise fail("invalid_request", "Only code_challenge_method=S256 is supported.")
    if not tokens.CHALLENGE.fullmatch(values["code_challenge"]):
        raise fail("invalid_request", "The code_challenge is not a base64url SHA-256 digest.")
    prompt = scopes.parse(values["prompt"])
    if any(value not in PROMPTS for value in prompt) or ("none" in prompt and len(prompt) > 1):
        raise fail("invalid_request", "prompt is none, login or consent (none alone).")
    max_age = None
    if values["max_age"]:
        if not (values["max_age"].isascii() and values["max_age"].isdigit()) or len(values["max_age"]) > 9:
            raise fail("invalid_request", "max_age is a number of seconds.")
        max_age = int(values["max_age"])
    if not tokens.available():
        raise fail("server_error", "The provider is not configured (it needs an asymmetric JWT_ALGORITHM).")
    return AuthorizationRequest(
        client_id=client.client_id, redirect_uri=redirect_uri, scopes=scopes.normalized(asked),
        state=values["state"], nonce=values["nonce"], code_challenge=values["code_challenge"],
        prompt=" ".join(prompt), max_age=max_age,
        acr_requested=bool(values["acr_values"]) or '"acr"' in values["claims"], issued_at=int(time.time()),
    )


def seal(request: AuthorizationRequest) -> str:
    return signing.dumps(asdict(request), salt=_SALT, compress=True)


def unseal(value) -> AuthorizationRequest | None:
    """The request a sealed value carries, if it is ours and at most ten minutes old."""
    if not isinstance(value, str) or len(value) > 4000:
        return None
    try:
        return AuthorizationRequest(**signing.loads(value, salt=_SALT, max_age=REQUEST_TTL))
    except (signing.BadSignature, TypeError, ValueError):
        return None
