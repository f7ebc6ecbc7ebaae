"""The OpenAPI document tells the truth: what each route answers, how it is secured, which headers come back.

A client generator builds on it (tests/api/test_generated_client.py) and
schemathesis checks live answers against it (tests/api/test_fuzz.py).
"""
import pytest

from accounts.api import views

pytestmark = pytest.mark.django_db

# Every error status each route can answer (405 aside: no operation is documented for a method a route lacks).
ERRORS = {
    ("post", "/api/auth/login/"): {400, 401, 403, 413, 415, 429, 503},
    ("post", "/api/auth/refresh/"): {401, 403, 429, 503},
    ("post", "/api/auth/logout/"): {403, 503},
    ("post", "/api/auth/logout-all/"): {401, 503},
    ("get", "/api/auth/me/"): {401, 403, 503},
    ("patch", "/api/auth/me/"): {400, 401, 403, 413, 415, 503},
    ("delete", "/api/auth/me/"): {400, 401, 403, 503},
    ("post", "/api/auth/logout-others/"): {401, 403, 503},
    ("get", "/api/auth/export/"): {401, 403, 503},
    ("get", "/api/auth/sessions/"): {401, 403, 503},
    ("delete", "/api/auth/sessions/{session_id}/"): {401, 403, 404, 503},
    ("get", "/api/auth/trusted-devices/"): {401, 403, 503},
    ("delete", "/api/auth/trusted-devices/{device_id}/"): {401, 403, 404, 503},
    ("post", "/api/auth/password/"): {400, 401, 403, 413, 415, 429, 503},
    ("post", "/api/auth/reauthenticate/"): {400, 401, 403, 413, 415, 429, 503},
    ("post", "/api/auth/login/mfa/"): {400, 401, 403, 413, 415, 429, 503},
    ("get", "/api/auth/mfa/"): {401, 503},
    ("post", "/api/auth/mfa/totp/"): {401, 403, 409, 503},
    ("delete", "/api/auth/mfa/totp/"): {401, 403, 404, 503},
    ("post", "/api/auth/mfa/totp/confirm/"): {400, 401, 413, 415, 429, 503},
    ("post", "/api/auth/mfa/recovery-codes/"): {401, 403, 409, 503},
    ("get", "/api/auth/tokens/"): {401, 403, 503},
    ("get", "/api/auth/tokens/scopes/"): {401, 403, 503},
    ("get", "/api/auth/activity/"): {401, 403, 404, 503},
    ("get", "/api/auth/passkeys/"): {401, 503},
    ("post", "/api/auth/passkeys/"): {400, 401, 403, 413, 415, 503},
    ("post", "/api/auth/passkeys/options/"): {401, 403, 503},
    ("patch", "/api/auth/passkeys/{passkey_id}/"): {400, 401, 403, 404, 413, 415, 503},
    ("delete", "/api/auth/passkeys/{passkey_id}/"): {401, 403, 404, 503},
    ("post", "/api/auth/login/passkey/options/"): {403, 429, 503},
    ("post", "/api/auth/login/mfa/passkey/options/"): {400, 401, 403, 413, 415, 429, 503},
    ("post", "/api/auth/login/passkey/"): {400, 401, 403, 413, 415, 429, 503},
    ("post", "/api/auth/login/code/"): {400, 403, 404, 413, 415, 429, 503},
    ("post", "/api/auth/login/code/confirm/"): {400, 401, 403, 404, 413, 415, 429, 503},
    ("post", "/api/auth/reauthenticate/passkey/options/"): {400, 401, 429, 503},
    ("post", "/api/auth/email/verify/"): {400, 403, 413, 415, 429, 503},
    ("post", "/api/auth/email/verify/resend/"): {400, 403, 413, 415, 429, 503},
    ("post", "/api/auth/email/change/"): {400, 401, 403, 413, 415, 429, 503},
    ("get", "/api/auth/password-rules/"): set(),
    ("get", "/api/auth/config/"): set(),
    ("get", "/api/auth/languages/"): set(),
    ("post", "/api/auth/tokens/"): {400, 401, 403, 413, 415, 503},
    ("delete", "/api/auth/tokens/{token_id}/"): {401, 403, 404, 503},
    ("post", "/api/auth/password-reset/"): {400, 403, 413, 415, 429, 503},
    ("post", "/api/auth/password-reset/confirm/"): {400, 403, 413, 415, 429, 503},
    ("post", "/api/auth/password-reset/account/"): {400, 403, 413, 415, 429, 503},
    ("post", "/api/auth/register/"): {400, 403, 404, 413, 415, 429, 503},
    ("get", "/api/auth/users/"): {401, 403, 404, 503},
    ("post", "/api/auth/introspect/"): {400, 401, 404, 413, 415, 429, 503},
    ("get", "/api/health/"): {503},
    ("get", "/api/auth/apps/"): {401, 403, 503},
    ("delete", "/api/auth/apps/{client_id}/"): {401, 403, 404, 503},
    ("post", "/api/auth/oauth/authorize/"): {400, 401, 403, 413, 415, 503},
    ("post", "/api/auth/oauth/end-session/"): {400, 401, 403, 413, 415, 503},
    ("get", "/api/auth/providers/"): {503},
    ("post", "/api/auth/federation/{slug}/start/"): {400, 401, 403, 404, 413, 415, 429, 503},
    ("get", "/api/auth/federation/{slug}/callback/"): {404, 429},
    ("post", "/api/auth/federation/second-step/"): {401, 403, 429, 503},
    ("post", "/api/auth/federation/{slug}/backchannel-logout/"): {400, 404, 413, 415, 503},
    ("get", "/api/auth/identities/"): {401, 403, 503},
    ("delete", "/api/auth/identities/{identity_id}/"): {401, 403, 404, 409, 503},
}
SECURITY = {
    # An application's sign-in (prompt=none) and sign-out requests are answered without a session too.
    ("post", "/api/auth/oauth/authorize/"): [{"bearerAuth": []}, {}],
    ("post", "/api/auth/oauth/end-session/"): [{"bearerAuth": []}, {}],
    ("post", "/api/auth/login/"): None,
    ("post", "/api/auth/login/mfa/"): None,
    ("post", "/api/auth/register/"): None,
    ("get", "/api/health/"): None,
    ("get", "/api/auth/password-rules/"): None,
    ("get", "/api/auth/config/"): None,
    ("get", "/api/auth/languages/"): None,
    ("post", "/api/auth/login/passkey/options/"): None,
    ("post", "/api/auth/login/mfa/passkey/options/"): None,
    ("post", "/api/auth/login/passkey/"): None,
    ("post", "/api/auth/login/code/"): None,
    ("post", "/api/auth/login/code/confirm/"): None,
    ("post", "/api/auth/email/verify/"): None,
    ("post", "/api/auth/email/verify/resend/"): None,
    ("post", "/api/auth/password-reset/"): None,
    ("post", "/api/auth/password-reset/confirm/"): None,
    ("post", "/api/auth/password-reset/account/"): None,
    ("get", "/api/auth/providers/"): None,
    ("get", "/api/auth/federation/{slug}/callback/"): None,
    ("post", "/api/auth/federation/second-step/"): None,
    ("post", "/api/auth/federation/{slug}/backchannel-logout/"): None,
    # A sign-in needs nothing; a link or re-authentication the access token.
    ("post", "/api/auth/federation/{slug}/start/"): [{"bearerAuth": []}, {}],
    ("post", "/api/auth/refresh/"): [{"refreshCookie": []}],
    ("post", "/api/auth/logout/"): [{"refreshCookie": []}],
    ("post", "/api/auth/introspect/"): [{"introspectionSecret": []}],
    # The data routes scripts may read with a personal access token.
    ("get", "/api/auth/me/"): [{"personalToken": []}, {"bearerAuth": []}],
    ("get", "/api/auth/users/"): [{"personalToken": []}, {"bearerAuth": []}],
}
SETS_COOKIES = {
    ("post", "/api/auth/login/"): {"200"},
    ("post", "/api/auth/login/mfa/"): {"200"},
    ("post", "/api/auth/login/passkey/"): {"200"},
    ("post", "/api/auth/login/code/confirm/"): {"200"},
    ("post", "/api/auth/refresh/"): {"200", "401"},
    ("post", "/api/auth/logout/"): {"204"},
    ("post", "/api/auth/logout-all/"): {"204"},
    ("delete", "/api/auth/me/"): {"204"},
    ("get", "/api/auth/federation/{slug}/callback/"): {"302"},
}
ERROR_REF = "#/components/schemas/Error"


@pytest.fixture(scope="module")
def document(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield (method, path), operation


def test_every_route_is_documented(document):
    assert {key for key, _ in operations(document)} == set(ERRORS)


def test_every_operation_has_its_own_summary_and_description(document):
    # Repro: every description was a base class's docstring ("Base for the routes that read or set the refresh cookie.").
    inherited = {
        (cls.__doc__ or "").strip()
        for cls in (views.NoStoreMixin, views.CookieRouteView, views.BearerView)
    }
    descriptions = []
    for key, operation in operations(document):
        assert operation.get("summary"), key
        assert operation.get("description"), key
        assert operation["description"].strip() not in inherited, key
        descriptions.append(operation["description"])
    assert len(set(descriptions)) == len(descriptions)


def test_every_error_status_a_route_can_answer_is_documented_with_the_error_body(document):
    # Repro: only successes were documented; login's 401 said "No response body".
    for key, operation in operations(document):
        documented = {int(code) for code in operation["responses"] if int(code) >= 400}
        assert documented == ERRORS[key], key
        for code in documented:
            response = operation["responses"][str(code)]
            assert response["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}, (key, code)
            assert response["description"], (key, code)


def test_the_error_component_has_detail_code_and_optional_fields(document):
    error = document["components"]["schemas"]["Error"]

    assert set(error["required"]) == {"detail", "code"}
    assert error["properties"]["detail"]["type"] == error["properties"]["code"]["type"] == "string"
    fields = error["properties"]["fields"]
    assert fields["type"] == "object"
    assert fields["additionalProperties"] == {"type": "array", "items": {"type": "string"}}


def test_each_route_names_how_it_is_authenticated(document):
    # Repro: no cookie security scheme; refresh and logout looked unauthenticated.
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert schemes["refreshCookie"]["type"] == "apiKey"
    assert (schemes["refreshCookie"]["in"], schemes["refreshCookie"]["name"]) == ("cookie", "refresh_token")
    assert schemes["introspectionSecret"]["type"] == "http" and schemes["introspectionSecret"]["scheme"] == "bearer"
    for key, operation in operations(document):
        assert operation.get("security") == SECURITY.get(key, [{"bearerAuth": []}]), key


def test_set_cookie_retry_after_and_www_authenticate_are_documented(document):
    for key, operation in operations(document):
        for code, response in operation["responses"].items():
            headers = response.get("headers", {})
            if code in ("429", "503"):
                assert headers["Retry-After"]["required"] is True, (key, code)
            if code == "401":
                assert headers["WWW-Authenticate"]["required"] is True, (key, code)
            assert ("Set-Cookie" in headers) == (code in SETS_COOKIES.get(key, set())), (key, code)


def test_the_health_answer_has_a_schema(document):
    ok = document["paths"]["/api/health/"]["get"]["responses"]["200"]

    assert ok["content"]["application/json"]["schema"]


def test_operations_are_grouped_into_several_tags_each_operation_in_exactly_one(document):
    # Repro: Swagger UI listed every operation under the one tag "auth".
    from accounts.api.schema import TAGS

    declared = [tag["name"] for tag in document["tags"]]
    assert declared == [name for name, _, _ in TAGS]
    assert all(tag["description"] for tag in document["tags"])
    used = {}
    for key, operation in operations(document):
        assert len(operation.get("tags", [])) == 1, key
        assert operation["tags"][0] in declared, key
        used.setdefault(operation["tags"][0], set()).add(key)
    assert len(used) >= 8
    assert ("post", "/api/auth/login/") in used["auth"]
    assert ("post", "/api/auth/login/mfa/") in used["two-step sign-in"]
    assert ("post", "/api/auth/login/passkey/") in used["passkeys"]
    assert ("delete", "/api/auth/sessions/{session_id}/") in used["sessions"]
    assert ("post", "/api/auth/password/") in used["account"]
    assert ("post", "/api/auth/password-reset/confirm/") in used["recovery"]
    assert ("delete", "/api/auth/tokens/{token_id}/") in used["tokens"]
    assert ("get", "/api/auth/users/") in used["staff"]
    assert ("post", "/api/auth/introspect/") in used["services"]
    assert ("get", "/api/health/") in used["health"]


def _documented_routes():
    """(method, path) of each row of docs/api.md's route table, ids written ``<id>``."""
    import re
    from pathlib import Path

    rows = set()
    text = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    for match in re.finditer(r"^\| ([A-Z, ]+) \| `(/[^`]*)` \|", text, re.MULTILINE):
        for method in match.group(1).split(","):
            rows.add((method.strip(), re.sub(r"<[^>]+>", "<id>", match.group(2))))
    return rows


def _url_patterns(patterns=None, prefix=""):
    from django.urls import URLPattern, get_resolver

    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLPattern):
            yield route, pattern
        else:
            yield from _url_patterns(pattern.url_patterns, route)


def test_every_route_under_api_is_in_the_route_table_of_docs_api_md(document):
    # Repro: POST /api/auth/login/mfa/passkey/options/ (and /api/schema/, /api/docs/) were missing from docs/api.md.
    import re

    from accounts.api.exceptions import API_NOT_FOUND

    documented = _documented_routes()
    paths = {path for _, path in documented}
    routes = [route for route, pattern in _url_patterns()
              if route.startswith(("api/", ".well-known/")) and pattern.name != API_NOT_FOUND]
    assert len(routes) > 30
    missing = [route for route in routes if "/" + re.sub(r"<[^>]+>", "<id>", route) not in paths]
    assert missing == []
    # ... each with every method the API answers on it.
    operations_ = {(method.upper(), re.sub(r"\{[^}]+\}", "<id>", path)) for (method, path), _ in operations(document)}
    assert sorted(operations_ - documented) == []


def test_the_user_says_whether_a_password_is_set(document):
    # The account page offers a first password by mail when there is none (issue 25).
    user = document["components"]["schemas"]["User"]

    assert user["properties"]["has_password"]["type"] == "boolean"
    assert user["properties"]["has_password"]["readOnly"] is True


def test_a_recent_authentication_refusal_says_a_company_account_confirms_through_its_provider(document):
    # Repro: for an account whose domain a provider requires, the 403 reauthentication_required carries
    # methods ["provider", …] and provider (accounts.api.reauth.single_sign_on_methods); the OpenAPI descriptions
    # of those 403s named only the password and the second steps.
    paths = document["paths"]
    for path, method in (("/api/auth/me/", "patch"), ("/api/auth/mfa/totp/", "delete")):
        description = paths[path][method]["responses"]["403"]["description"]
        assert "`provider`" in description and '"provider"' in description, (path, description)
