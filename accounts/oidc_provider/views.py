"""The provider's HTTP endpoints: discovery, authorize, token, userinfo, revoke, logout.

These speak OAuth 2.0 and OpenID Connect, not the ``/api/`` JSON shape:
errors are RFC 6749's ``{"error", "error_description"}`` (what every client
library reads), token answers carry ``Cache-Control: no-store``. No cookie
authenticates anything here: the user signs in and consents in the browser
app (``/authorize``, ``accounts/api/oauth.py``), clients authenticate with
their credentials.
"""
import functools
import time
from urllib.parse import urlencode

from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts import conf
from accounts.limits.counters import counters
from accounts.limits.net import client_info
from accounts.oidc_provider import clients, flows, requests, rp_logout, scopes, tokens
from accounts.oidc_provider.errors import OAuthError


def _json(body, status=200, **headers):
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _cors(response):
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _open_to_browser_apps(view):
    """CORS for an endpoint a browser app on another site calls (an SPA, a public client): ``*``, no credentials.

    These endpoints read no cookie (a client proves itself by its credentials,
    or its code and PKCE verifier), so any origin may read the answer; a
    preflight (a library that sends a header beyond the simple ones) is
    answered here, before the method check.
    """
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "POST"
            response["Access-Control-Allow-Headers"] = "authorization, content-type"
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = view(request, *args, **kwargs)
        return _cors(response)

    return wrapped


def _error(error: OAuthError):
    return _json(error.body(), status=error.status)


def _url(path) -> str:
    return tokens.issuer().rstrip("/") + path


@require_http_methods(["GET", "HEAD", "OPTIONS"])
def discovery(request):
    """OpenID Provider Metadata (OpenID Connect Discovery 1.0), public and cacheable."""
    body = {
        "issuer": tokens.issuer(),
        "authorization_endpoint": _url("/oauth/authorize/"),
        "token_endpoint": _url("/oauth/token/"),
        "userinfo_endpoint": _url("/oauth/userinfo/"),
        "revocation_endpoint": _url("/oauth/revoke/"),
        "end_session_endpoint": _url("/oauth/logout/"),
        "jwks_uri": _url("/.well-known/jwks.json"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [tokens.signing_algorithm()] if tokens.available() else [],
        "scopes_supported": list(scopes.SUPPORTED),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "azp",
                             "at_hash", "preferred_username", "name", "given_name", "family_name", "email",
                             "email_verified"],
        "acr_values_supported": [flows.acr_for(["pwd"]), flows.acr_for(["pwd", "otp"])],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": ["S256"],
        "prompt_values_supported": sorted(requests.PROMPTS),
        "authorization_response_iss_parameter_supported": True,
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "claims_parameter_supported": False,
    }
    response = _cors(JsonResponse(body))
    response["Cache-Control"] = "public, max-age=300"
    return response


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def authorize(request):
    """Check the request; send the browser to the app's consent page, or say what is wrong.

    Nothing is redirected to an unregistered URI: an unknown client or URI
    is shown on our page (hook ``oauth-error``), with status 400.
    """
    params = request.GET if request.method == "GET" else request.POST
    try:
        checked = requests.check(params)
    except requests.Unanswerable as error:
        return render(request, "accounts/oidc/error.html", {"description": error.description}, status=400)
    except requests.Redirectable as error:
        return HttpResponseRedirect(error.location())
    page = "/authorize/silent" if checked.prompt == "none" else "/authorize"
    return HttpResponseRedirect(page + "?" + urlencode({"request": requests.seal(checked)}))


def _throttled(client) -> int:
    """Seconds to wait when ``client`` has used up its token requests for this window; 0 otherwise."""
    limit, window = conf.oauth_token_rate(), 60
    now = time.time()
    slot = int(now // window)
    if counters.count(f"oauth_token:{client.pk}:{slot}", window) > limit:
        return max(1, int((slot + 1) * window - now))
    return 0


def _presented(request):
    return clients.credentials(post=request.POST, authorization=request.META.get("HTTP_AUTHORIZATION", ""))


def _authenticated_client(request):
    return clients.authenticate(_presented(request))


class _Throttled(Exception):
    def __init__(self, wait):
        self.wait = wait


def _admit(client):
    wait = _throttled(client)
    if wait:
        raise _Throttled(wait)


def _invalid_client(error: clients.ClientAuthFailed):
    headers = {"WWW_Authenticate": 'Basic realm="gatehouse"'} if error.basic else {}
    return _json({"error": "invalid_client", "error_description": error.description},
                 status=401, **headers)


@never_cache
@csrf_exempt
@_open_to_browser_apps
@require_http_methods(["POST"])
def token(request):
    """The token endpoint: ``authorization_code`` (with PKCE) and ``refresh_token``; throttled per client."""
    grant_type = request.POST.get("grant_type")
    try:
        if grant_type == "refresh_token":  # the client is authenticated from the grant's own row
            answer = flows.refresh(presented=_presented(request), refresh_token=request.POST.get("refresh_token"),
                                   scope=request.POST.get("scope", ""), admit=_admit)
            return _json(answer.body())
        client = _authenticated_client(request)
        _admit(client)
    except clients.ClientAuthFailed as error:
        return _invalid_client(error)
    except _Throttled as throttled:
        return _json({"error": "slow_down", "error_description": "Too many token requests; try again later."},
                     status=429, Retry_After=str(throttled.wait))
    except OAuthError as error:
        return _error(error)
    try:
        if grant_type == "authorization_code":
            answer = flows.exchange_code(
                client=client, code=request.POST.get("code"), redirect_uri=request.POST.get("redirect_uri"),
                code_verifier=request.POST.get("code_verifier"), client_info=client_info(request),
            )
        elif not grant_type:
            raise OAuthError("invalid_request", "grant_type is missing.")
        else:
            raise OAuthError("unsupported_grant_type", "Only authorization_code and refresh_token are supported.")
    except OAuthError as error:
        return _error(error)
    return _json(answer.body())


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST", "OPTIONS"])
def userinfo(request):
    """The claims the grant's scopes allow, for a client's access token (``Authorization: Bearer gha_…``)."""
    if request.method == "OPTIONS":
        response = _cors(_json({}))
        response["Access-Control-Allow-Headers"] = "authorization"
        response["Access-Control-Allow-Methods"] = "GET, POST"
        return response
    header = request.META.get("HTTP_AUTHORIZATION", "")
    raw = header[7:].strip() if header[:7].lower() == "bearer " else None
    found = flows.grant_for_access_token(raw) if raw else None
    if found is None:
        challenge = 'Bearer error="invalid_token"' if raw else 'Bearer realm="gatehouse"'
        return _cors(_json({"error": "invalid_token", "error_description": "The access token is invalid or expired."}
                           if raw else {"error": "invalid_request"}, status=401, WWW_Authenticate=challenge))
    grant, _, user = found
    return _cors(_json(flows.userinfo(grant=grant, user=user)))


@never_cache
@csrf_exempt
@_open_to_browser_apps
@require_http_methods(["POST"])
def revoke(request):
    """RFC 7009: 200 whether or not the token was known; a token of another client is refused."""
    try:
        client = _authenticated_client(request)
    except clients.ClientAuthFailed as error:
        return _invalid_client(error)
    try:
        flows.revoke(client=client, token=request.POST.get("token"))
    except OAuthError as error:
        return _error(error)
    return _json({})


@never_cache
@csrf_exempt  # the application's own page may post it (RP-Initiated Logout 1.0); a GET does the same
@require_http_methods(["GET", "POST"])
def logout(request):
    """RP-initiated logout 1.0: check the request, then let the browser app end the Gatehouse session.

    ``post_logout_redirect_uri`` must be registered for the client (named by
    ``client_id`` or by the ``id_token_hint``'s audience) and match exactly;
    otherwise the error is shown on our page. A valid hint ends the grant it
    names at once (the application asked); the Gatehouse session itself is
    ended on the app's page, which asks the user unless the hint names it.
    """
    params = request.GET if request.method == "GET" else request.POST
    try:
        sealed = rp_logout.check(params)
    except rp_logout.Unanswerable as error:
        return render(request, "accounts/oidc/error.html", {"description": error.description}, status=400)
    return HttpResponseRedirect("/end-session?" + urlencode({"request": sealed}))
