import pytest
from django.db import OperationalError

from accounts.api.parsers import MAX_BODY_BYTES
from accounts.models import RefreshSession
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db

COOKIE_ROUTES = ["/api/auth/login/", "/api/auth/refresh/", "/api/auth/logout/"]


@pytest.mark.parametrize("path", ["/api/nope/", "/api/auth/sessions/abc/def/", "/api/", "/api"])
def test_unknown_api_paths_are_json_404(client, path):
    response = client.post(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_a_missing_trailing_slash_names_the_route(client):
    response = client.post("/api/auth/login")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found. API paths end with a slash: /api/auth/login/", "code": "not_found"}


def test_get_on_a_post_route_is_405_json(client):
    response = client.get("/api/auth/login/")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_oversized_body_is_413_json(client, user):
    body = '{"username": "alice", "password": "' + "x" * MAX_BODY_BYTES + '"}'

    response = client.post("/api/auth/login/", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


@pytest.mark.parametrize("body", [b"\xff\xfe\x00garbage", b"[1, 2", b"NaN", b'{"username": "\\ud800"}'])
def test_undecodable_bodies_are_4xx_json(client, user, body):
    response = client.post("/api/auth/login/", body, content_type="application/json")

    assert 400 <= response.status_code < 500
    assert response.json()["code"]


@pytest.mark.parametrize("path", COOKIE_ROUTES)
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_ORIGIN": "http://testserver.evil.example"},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
    ],
    ids=["foreign", "null", "lookalike", "sec-fetch-site"],
)
def test_cross_site_posts_to_cookie_routes_are_refused_and_change_nothing(logged_in, path, headers):
    logged_in.client.cookies["refresh_token"] = logged_in.refresh_token
    before = list(RefreshSession.objects.values())

    response = logged_in.client.post(
        path, {"username": "alice", "password": PASSWORD}, format="json", **headers
    )

    assert response.status_code == 403
    assert response.json()["code"] == "origin_not_allowed"
    assert "refresh_token" not in response.cookies
    assert list(RefreshSession.objects.values()) == before


@pytest.mark.parametrize("path", COOKIE_ROUTES)
@pytest.mark.parametrize("value", ["Cross-Site", "CROSS-SITE", " cross-site ", "cross-site\t"])
def test_sec_fetch_site_is_compared_case_insensitively_and_trimmed(logged_in, path, value):
    # Repro: POST with "Sec-Fetch-Site: Cross-Site" and no Origin passed the cross-site check.
    logged_in.client.cookies["refresh_token"] = logged_in.refresh_token
    before = list(RefreshSession.objects.values())

    response = logged_in.client.post(
        path, {"username": "alice", "password": PASSWORD}, format="json", HTTP_SEC_FETCH_SITE=value
    )

    assert response.status_code == 403
    assert response.json()["code"] == "origin_not_allowed"
    assert list(RefreshSession.objects.values()) == before


@pytest.mark.parametrize("path", COOKIE_ROUTES)
@pytest.mark.parametrize("value", ["same-origin", "Same-Origin", "none", "same-site"])
def test_other_sec_fetch_site_values_without_origin_pass(logged_in, path, value):
    logged_in.client.cookies["refresh_token"] = logged_in.refresh_token

    response = logged_in.client.post(
        path, {"username": "alice", "password": PASSWORD}, format="json", HTTP_SEC_FETCH_SITE=value
    )

    assert response.status_code in (200, 204)


def test_same_origin_and_listed_origins_are_allowed(settings, client, user):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example"]

    assert login(client, HTTP_ORIGIN="http://testserver").status_code == 200
    assert login(client, HTTP_ORIGIN="https://app.example", HTTP_SEC_FETCH_SITE="cross-site").status_code == 200


def test_cors_preflight_from_a_listed_origin_allows_credentials(settings, client):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example"]

    response = client.options(
        "/api/auth/refresh/", HTTP_ORIGIN="https://app.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )

    assert response["Access-Control-Allow-Origin"] == "https://app.example"
    assert response["Access-Control-Allow-Credentials"] == "true"


def test_cors_preflight_from_a_foreign_origin_gets_no_cors_headers(client):
    response = client.options(
        "/api/auth/refresh/", HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )

    assert "Access-Control-Allow-Origin" not in response


def test_health_touches_the_database(client):
    response = client.get("/api/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_is_503_json_when_the_database_is_down(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", unreachable)

    response = client.get("/api/health/")

    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert "/api/auth/refresh/" in schema.json()["paths"]
    assert client.get("/api/docs/").status_code == 200


@pytest.mark.parametrize("path", COOKIE_ROUTES)
def test_cross_site_text_plain_form_posts_are_refused_and_change_nothing(logged_in, path):
    logged_in.client.cookies["refresh_token"] = logged_in.refresh_token
    before = list(RefreshSession.objects.values())

    response = logged_in.client.post(
        path, "username=alice&password=x", content_type="text/plain",
        HTTP_ORIGIN="https://evil.example", HTTP_SEC_FETCH_SITE="cross-site",
    )

    assert response.status_code == 403
    assert list(RefreshSession.objects.values()) == before


def test_a_text_plain_body_is_refused_even_from_the_same_site(client, user):
    response = client.post("/api/auth/login/", f'{{"username": "alice", "password": "{PASSWORD}"}}',
                           content_type="text/plain")

    assert response.status_code == 415


@pytest.mark.parametrize("path", ["/", "/api/auth/me/", "/api/health/"])
def test_security_headers_on_pages_and_api(client, path):
    response = client.get(path)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/api/auth/me/", "/api/auth/sessions/"])
def test_django_level_bad_requests_under_api_are_json(client, path):
    response = client.get(path, HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response.json() == {"detail": "Bad request.", "code": "bad_request"}


def test_too_many_query_fields_under_api_is_json(client):
    response = client.get("/api/health/?" + "&".join(f"f{i}=1" for i in range(1100)))

    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json()["code"] == "bad_request"


def test_health_answers_a_load_balancer_probing_by_ip_address(client):
    # Repro: /api/health/ answered 400 (and logged a traceback) for Host: 10.0.0.7.
    response = client.get("/api/health/", HTTP_HOST="10.0.0.7")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_a_disallowed_host_is_still_refused_everywhere_else(client):
    response = client.get("/api/auth/me/", HTTP_HOST="10.0.0.7")

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/nope/", "/api/auth/sessions/null,null/"])
def test_unknown_api_paths_are_json_404_for_writes_too(method, path):
    # Repro (schemathesis): DELETE /api/auth/sessions/null,null/ got Django's HTML 403 "CSRF cookie not set".
    from rest_framework.test import APIClient

    response = getattr(APIClient(enforce_csrf_checks=True), method)(path)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
