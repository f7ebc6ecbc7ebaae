"""The OpenAPI description of the API (drf-spectacular), kept true enough for client generators.

Each view documents its operation with ``operation(...)``: its own summary
and description, its successes, every error status it can answer (all with
the one ``Error`` body), and the response headers that matter to a client
(``Set-Cookie``, ``Retry-After``, ``WWW-Authenticate``). Security: bearer
routes are found from their authentication class (``bearerAuth``); the
refresh cookie (``refreshCookie``) and the introspection secret
(``introspectionSecret``) are declared in ``SPECTACULAR_SETTINGS``
(``APPEND_COMPONENTS``) and named here; public routes name none.
"""
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers

from accounts.api.parsers import MAX_BODY_BYTES
from accounts.mfa import policy


class SessionBoundJWTScheme(SimpleJWTScheme):
    target_class = "accounts.sessions.authentication.SessionBoundJWTAuthentication"
    name = "bearerAuth"


class ErrorSerializer(serializers.Serializer):
    """Every error under /api/."""

    detail = serializers.CharField(help_text="A message for people.")
    code = serializers.CharField(help_text="A stable code for programs, e.g. `invalid`, `refresh_invalid`, `throttled`.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors only: the messages for each field of the request.",
    )
    provider = serializers.CharField(
        required=False,
        help_text="`sso_required`, `address_managed`, and a `reauthentication_required` whose `methods` hold "
        "`provider`: the slug of the provider that owns the account's email domain.",
    )
    methods = serializers.ListField(
        child=serializers.CharField(), required=False,
        help_text="`reauthentication_required` on some routes: what `POST /api/auth/reauthenticate/` may use here "
        "(`password`, `provider`, `totp`, `recovery_code`, `passkey`).",
    )
    email = serializers.CharField(required=False, help_text="`email_unverified`: the address to verify.")


class HealthSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="`ok`.")


# The schema component's name is the serializer's minus "Serializer": "Error".
ERROR = ErrorSerializer

# What each error status means, unless an operation says more.
_ERRORS = {
    400: "Invalid input (`invalid`, with `fields`) or a body that is not valid JSON (`parse_error`).",
    401: "Not authenticated.",
    403: "Refused.",
    404: "Not found (`not_found`).",
    413: f"The body is larger than {MAX_BODY_BYTES} bytes (`request_too_large`).",
    415: "The body is not `application/json` (`unsupported_media_type`).",
    429: "Too many requests from this client (`throttled`): try again after `Retry-After` seconds.",
    503: "The database is unavailable (`service_unavailable`): try again after `Retry-After` seconds.",
}
# Routes whose body is parsed: bad input, oversized and non-JSON bodies.
BODY_ERRORS = {400: None, 413: None, 415: None}
ORIGIN_REFUSED = {
    403: "A cross-site request (`origin_not_allowed`): its `Origin` is neither this site nor in "
    "`CORS_ALLOWED_ORIGINS`, or `Sec-Fetch-Site` is `cross-site`.",
}
BEARER_REFUSED = {
    401: "No valid access token (`not_authenticated`, `token_not_valid`), or its session has ended "
    "(`session_ended`), or it is bound to another browser (`token_binding_mismatch`).",
}
# What the 403 of an account whose domain a provider requires adds (accounts.api.reauth.single_sign_on_methods).
THROUGH_ITS_PROVIDER = {
    403: "For an account whose domain a provider requires it carries `methods` `[\"provider\", …its second steps]` "
    "and `provider` (the slug): confirm through that provider (`POST /api/auth/federation/<slug>/start/`, "
    "intent `reauth`) or a second factor, never the password.",
}
REAUTHENTICATION = {
    403: "The access token's authentication is older than `REAUTH_MAX_AGE` (`reauthentication_required`): "
    f"`POST /api/auth/reauthenticate/`, then try again with the new access token. {THROUGH_ITS_PROVIDER[403]}",
}
THROTTLED = {429: None}
DATABASE = {503: None}
# Routes that hash or check a password (accounts.limits.admission): refused at once when the deployment's
# hashing slots are all taken.
PASSWORD_CHECK = {
    503: "The database is unavailable (`service_unavailable`), or every password-hashing slot of the "
    "server is taken (`hashing_busy`: nothing was checked, send the same request again): try again after "
    "`Retry-After` seconds.",
}

# Auth of the routes that declare theirs (the bearer routes' is found from their authentication class).
PUBLIC = []
REFRESH_COOKIE = [{"refreshCookie": []}]
INTROSPECTION_SECRET = [{"introspectionSecret": []}]

_SET_COOKIE = "Set-Cookie"

# The groups Swagger UI shows, in this order, and the paths in each: the longest prefix that
# matches an operation's path names its one tag. A route added later lands in "auth" until it
# is placed (tests/api/test_openapi.py lists them by tag).
TAGS = (
    ("auth", "Sign in, refresh, sign out, sign up, re-authenticate.", (
        "/api/auth/login/", "/api/auth/refresh/", "/api/auth/logout/", "/api/auth/register/",
        "/api/auth/reauthenticate/", "/api/auth/config/",
    )),
    ("two-step sign-in", "The second step of a login, the authenticator app and recovery codes.", (
        "/api/auth/login/mfa/", "/api/auth/mfa/",
    )),
    ("passkeys", "Passkeys (WebAuthn): registration, passwordless sign-in, re-authentication.", (
        "/api/auth/passkeys/", "/api/auth/login/passkey/", "/api/auth/reauthenticate/passkey/",
    )),
    ("sessions", "The caller's sessions (one login on one device each): list, end one, end all.", (
        "/api/auth/sessions/", "/api/auth/logout-all/", "/api/auth/logout-others/", "/api/auth/trusted-devices/",
    )),
    ("account", "The caller's account: who they are, profile, activity, password, email address, export, deletion.", (
        "/api/auth/me/", "/api/auth/activity/", "/api/auth/password/", "/api/auth/password-rules/",
        "/api/auth/email/", "/api/auth/export/",
    )),
    ("apps", "Gatehouse as an OpenID Provider: the consent page, sign-out for applications, connected apps.", (
        "/api/auth/oauth/", "/api/auth/apps/",
    )),
    ("federation", "Sign-in with other identity providers (OpenID Connect, OAuth 2.0) and linked identities.", (
        "/api/auth/providers/", "/api/auth/federation/", "/api/auth/identities/",
    )),
    ("recovery", "A forgotten password: reset by mail.", ("/api/auth/password-reset/",)),
    ("tokens", "Personal access tokens for scripts.", ("/api/auth/tokens/",)),
    ("staff", "Routes for staff with the accounts.view_user permission.", ("/api/auth/users/",)),
    ("services", "For other services: token introspection (RFC 7662).", ("/api/auth/introspect/",)),
    ("health", "For load balancers and monitoring.", ("/api/health/",)),
)
_DEFAULT_TAG = "auth"


def tag_for(path):
    """The one tag of the operations on ``path`` (as the document writes it, ``{id}`` and all)."""
    best, length = _DEFAULT_TAG, -1
    for name, _, prefixes in TAGS:
        for prefix in prefixes:
            if path.startswith(prefix) and len(prefix) > length:
                best, length = name, len(prefix)
    return best


def group_operations_by_tag(result, generator, request, public):
    """drf-spectacular postprocessing hook: one tag per operation, by path, and the tags' list in order.

    Without it every operation falls under the first segment of its path,
    and Swagger UI lists them all under "auth".
    """
    for path, item in result.get("paths", {}).items():
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                operation["tags"] = [tag_for(path)]
    result["tags"] = [{"name": name, "description": description} for name, description, _ in TAGS]
    return result


def operation(
    *, summary, description, responses, errors, request=None, auth=None, sets_cookie=(), tags=None, parameters=(),
):
    """``extend_schema`` for one operation.

    ``responses``: the successes ({status: serializer or None}); ``errors``:
    {status: description or None for the usual one}; ``sets_cookie``: the
    statuses whose answer sets or clears the refresh cookie; ``parameters``: query parameters.
    """
    documented = dict(responses)
    for status, text in errors.items():
        documented[status] = OpenApiResponse(ERROR, description=text or _ERRORS[status])
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses=documented,
        auth=auth,
        parameters=[*parameters, *_response_headers(errors, sets_cookie)],
        tags=tags,
    )


def _response_headers(errors, sets_cookie):
    headers = []
    if sets_cookie:
        headers.append(OpenApiParameter(
            _SET_COOKIE, OpenApiTypes.STR, OpenApiParameter.HEADER, response=list(sets_cookie), required=True,
            description="The refresh cookie (`HttpOnly`, `SameSite=Strict` unless `Lax`, `Secure`, `Path=/api/auth/`): "
            "set on success, cleared (`Max-Age=0`) when the session is over.",
        ))
    retry = [status for status in (429, 503) if status in errors]
    if retry:
        headers.append(OpenApiParameter(
            "Retry-After", OpenApiTypes.INT, OpenApiParameter.HEADER, response=retry, required=True,
            description="Seconds to wait before trying again.",
        ))
    if 401 in errors:
        headers.append(OpenApiParameter(
            "WWW-Authenticate", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[401], required=True,
            description="The challenge, e.g. `Bearer realm=\"api\"`.",
        ))
    return headers


_ENROLMENT_REFUSAL = (
    "`MFA_REQUIRED` asks this account for a second factor it does not have yet (`mfa_enrollment_required`): "
    "only `me`, enrolment, re-authentication and logout answer until one is enrolled."
)


def document_enrolment_refusals(result, generator, request, public):
    """drf-spectacular postprocessing hook: the 403 ``mfa_enrollment_required`` on every route that can answer it.

    That is every route that authenticates a bearer and does not say
    ``open_before_enrolment`` (``accounts.mfa.policy``): read from the views,
    as the check itself does, so a new route is documented as it behaves.
    """
    paths = result.get("paths", {})
    for path, _, method, callback in generator.endpoints:
        view = getattr(callback, "cls", None)
        if view is None or not getattr(view, "authentication_classes", None):
            continue
        if policy.view_open_before_enrolment(view, method):
            continue
        operation = paths.get(path, {}).get(method.lower())
        if not isinstance(operation, dict):
            continue
        responses = operation.setdefault("responses", {})
        existing = responses.get("403")
        if existing is None:
            responses["403"] = {
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                "description": _ENROLMENT_REFUSAL,
            }
        elif _ENROLMENT_REFUSAL not in existing.get("description", ""):
            existing["description"] = f"{existing.get('description', '')} Or: {_ENROLMENT_REFUSAL}".strip()
    return result
