"""Scopes of personal tokens: a route states the scope it needs; a token carries the ones it was given.

Every route under /api/ is walked: the ones that manage sessions, tokens,
second factors, email or the password refuse a token holding every scope
there is, and no such route declares a scope.
"""
import importlib
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from accounts.models import RefreshSession
from accounts.personal_tokens.authentication import PersonalTokenAuthentication
from accounts.personal_tokens.models import PersonalAccessToken
from accounts.personal_tokens.scopes import SCOPES_BEFORE_SCOPES, Scope, declared_scopes, required_scope
from tests.conftest import PASSWORD
from tests.personal_tokens.conftest import TOKENS, Script, create

pytestmark = pytest.mark.django_db

SCOPES = "/api/auth/tokens/scopes/"
# Routes that manage sessions, tokens, second factors, passkeys, email or the password (and the ways in).
MANAGEMENT = re.compile(
    r"^api/auth/(login|refresh|logout|sessions|trusted-devices|password|reauthenticate|mfa|tokens|register|"
    r"email|passkeys|recovery)"
)
METHODS = ("get", "post", "put", "patch", "delete")


def api_routes():
    """(route, view class) for every URL pattern under /api/, sample values in its converters."""
    def walk(resolver, prefix):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, route)
            elif isinstance(pattern, URLPattern):
                view_class = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
                if view_class is not None and route.startswith("api/"):
                    yield route, view_class

    return list(walk(get_resolver(), ""))


def concrete(route, session_id, token_id):
    path = "/" + route.replace("^", "").replace("$", "")
    path = path.replace("<uuid:session_id>", str(session_id)).replace("<uuid:token_id>", str(token_id))
    return re.sub(r"<[^>]+>", "00000000-0000-0000-0000-000000000000", path)


def test_the_walk_finds_the_management_routes():
    routes = {route for route, _ in api_routes()}
    for expected in ("api/auth/sessions/", "api/auth/tokens/", "api/auth/tokens/scopes/", "api/auth/password/",
                     "api/auth/mfa/totp/", "api/auth/email/change/", "api/auth/passkeys/", "api/auth/logout-all/"):
        assert expected in routes


def test_no_view_still_uses_the_former_allow_list_attribute():
    # ``allows_personal_tokens = True`` is read by nothing now: a view that kept it would refuse tokens silently.
    assert [route for route, view_class in api_routes() if hasattr(view_class, "allows_personal_tokens")] == []


def test_no_route_that_manages_the_account_declares_a_scope():
    for route, view_class in api_routes():
        if MANAGEMENT.match(route):
            for method in METHODS:
                assert required_scope(view_class, method) is None, (route, method)


def test_every_management_route_refuses_a_token_with_every_scope(logged_in, user):
    # repro: a token holding every declared scope, on each route that manages the account → never accepted
    every = [scope.name for scope in declared_scopes()]
    created = create(logged_in, scopes=every).json()
    script = Script(created["token"])
    session = RefreshSession.objects.get()
    checked = 0
    for route, view_class in api_routes():
        if not MANAGEMENT.match(route):
            continue
        path = concrete(route, session.pk, created["id"])
        takes_tokens = PersonalTokenAuthentication in [
            cls for cls in getattr(view_class, "authentication_classes", [])
        ]
        for method in METHODS:
            if not hasattr(view_class, method):
                continue
            response = getattr(script.client, method)(path, {}, format="json", **script.headers)
            if takes_tokens:
                assert response.status_code == 403, (route, method, response.content)
                assert response.json()["code"] in {"personal_token_not_allowed", "enrolment_required"}, route
                checked += 1
            # A route without the personal-token authentication (the ways in) never reads the header at all.
    assert checked >= 15
    assert RefreshSession.objects.active().count() == 1
    assert PersonalAccessToken.objects.not_revoked().count() == 1
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_token_without_the_routes_scope_gets_403_insufficient_scope_with_the_rfc6750_challenge(logged_in):
    # repro: a token given only users:read, on GET /api/auth/me/ (profile:read) → 403 insufficient_scope
    token = create(logged_in, name="users only", scopes=["users:read"]).json()["token"]

    response = Script(token).get("/api/auth/me/")

    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert "profile:read" in response.json()["detail"]
    assert response["WWW-Authenticate"] == 'Bearer error="insufficient_scope", scope="profile:read"'


def test_a_token_with_the_routes_scope_is_accepted_and_the_list_shows_its_scopes(logged_in, user):
    created = create(logged_in, name="profile", scopes=["profile:read", "profile:read"])
    assert created.status_code == 201, created.content
    assert created.json()["scopes"] == ["profile:read"]

    response = Script(created.json()["token"]).get("/api/auth/me/")

    assert response.status_code == 200 and response.json()["username"] == user.username
    assert [row["scopes"] for row in logged_in.get(TOKENS).json()] == [["profile:read"]]


def test_the_scopes_route_lists_what_the_routes_declare_for_a_browser_session_only(logged_in, created):
    # repro: GET /api/auth/tokens/scopes/ → the declared scopes with descriptions; a personal token → 403
    response = logged_in.get(SCOPES)

    assert response.status_code == 200
    body = response.json()
    assert [item["name"] for item in body] == ["profile:read", "users:read"]
    assert all(set(item) == {"name", "description"} and item["description"] for item in body)
    refused = Script(created["token"]).get(SCOPES)
    assert refused.status_code == 403 and refused.json()["code"] == "personal_token_not_allowed"
    assert APIClient().get(SCOPES).status_code == 401


def test_a_view_declaring_a_scope_per_method_takes_the_token_only_for_those_methods():
    read = Scope("things:read", "Read things.")

    class View:
        token_scope = {"GET": read}

    assert required_scope(View, "get") is read
    assert required_scope(View, "POST") is None
    assert required_scope(object(), "GET") is None


@pytest.mark.parametrize("name", ["", "Profile:Read", "profile read", "profile:", "x" * 65])
def test_a_scope_name_that_is_not_lower_case_words_is_refused_at_declaration(name):
    with pytest.raises(ValueError):
        Scope(name, "Something.")


def test_introspection_shows_a_personal_tokens_scopes_as_a_space_separated_string(logged_in, created, settings):
    # repro: introspecting a gat_ token answered {"active": false}; now active with scope "profile:read users:read"
    secret = "introspection-" + "s3cr3t" * 6
    settings.GATEHOUSE = {**settings.GATEHOUSE, "INTROSPECTION_SECRET": secret}
    service = APIClient()
    service.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")

    answer = service.post("/api/auth/introspect/", {"token": created["token"]}, format="json").json()

    assert answer["active"] is True
    assert answer["scope"] == "profile:read users:read"
    assert answer["token_type"] == "personal_token"
    assert answer["username"] == "alice"
    logged_in.delete(f"{TOKENS}{created['id']}/")
    assert service.post("/api/auth/introspect/", {"token": created["token"]}, format="json").json() == {
        "active": False
    }


@pytest.mark.django_db(transaction=True)
def test_tokens_made_before_scopes_keep_exactly_the_routes_they_worked_on(user):
    # repro: migrating 0018 over a token made before scopes → profile:read and users:read, so no script breaks
    from django.utils import timezone

    executor = MigrationExecutor(connection)
    before = [("accounts", "0015_trusted_devices")]
    latest = executor.loader.graph.leaf_nodes("accounts")
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldToken = old_apps.get_model("accounts", "PersonalAccessToken")
    OldToken.objects.create(
        user_id=user.pk, name="old", lookup="0123456789abcdef", digest="0" * 64,
        expires_at=timezone.now() + timezone.timedelta(days=1),
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    assert PersonalAccessToken.objects.get(name="old").scopes == ["profile:read", "users:read"]
    migration = importlib.import_module("accounts.migrations.0018_personal_token_scopes")
    assert migration.SCOPES_BEFORE_SCOPES == list(SCOPES_BEFORE_SCOPES)
