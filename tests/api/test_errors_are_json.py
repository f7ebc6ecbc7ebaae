"""No answer under /api/ is HTML: CSRF failures, missing slashes, unknown paths and methods.

Django's test client skips CSRF checks unless told otherwise, so every client
here enforces them, as a browser's or a script's request meets them.
"""
import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import path

from backend import errors
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SESSION = "00000000-0000-0000-0000-000000000000"
COOKIE_ROUTES = {"/api/auth/login/", "/api/auth/refresh/", "/api/auth/logout/", "/api/auth/register/"}

HEADERS = {
    "no-origin": {},
    "same-origin": {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"},
    "foreign-origin": {"HTTP_ORIGIN": "https://evil.example", "HTTP_SEC_FETCH_SITE": "cross-site"},
}


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True)


def assert_json_error(response, status, code):
    assert response.status_code == status, response.content[:200]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert body["detail"]
    return body


@pytest.mark.parametrize("headers", HEADERS.values(), ids=HEADERS.keys())
@pytest.mark.parametrize(
    "method, url, slashed",
    [
        ("POST", "/api/auth/login", "/api/auth/login/"),
        ("POST", "/api/auth/register", "/api/auth/register/"),
        ("POST", "/api/auth/refresh", "/api/auth/refresh/"),
        ("GET", "/api/auth/me", "/api/auth/me/"),
        ("DELETE", f"/api/auth/sessions/{SESSION}", f"/api/auth/sessions/{SESSION}/"),
        ("PUT", "/api/health", "/api/health/"),
    ],
)
def test_a_missing_trailing_slash_is_a_json_404_naming_the_right_path(browser, method, url, slashed, headers):
    # Repro: POST /api/auth/login (no slash) -> Django's HTML "CSRF verification failed" page.
    body = f'{{"username": "alice", "password": "{PASSWORD}"}}'
    response = browser.generic(method, url, body, content_type="application/json", **headers)

    body = assert_json_error(response, 404, "not_found")
    assert slashed in body["detail"]
    assert "Location" not in response


@pytest.mark.parametrize("headers", HEADERS.values(), ids=HEADERS.keys())
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND", "GET", "HEAD"])
@pytest.mark.parametrize("url", ["/api/nope/", "/api/nope", "/api/", "/api", "/api/auth/sessions/abc/def/"])
def test_unknown_api_paths_are_a_json_404_for_every_method(browser, method, url, headers):
    # Repro: POST /api/nope/ -> Django's HTML "CSRF verification failed" page.
    response = browser.generic(method, url, "{}", content_type="application/json", **headers)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    if method != "HEAD":
        assert response.json()["code"] == "not_found"
        assert "/" not in response.json()["detail"]  # no suggestion: nothing is there with a slash either


@pytest.mark.parametrize("headers", HEADERS.values(), ids=HEADERS.keys())
@pytest.mark.parametrize(
    "method, url",
    [("PUT", "/api/auth/login/"), ("PATCH", "/api/auth/refresh/"), ("DELETE", "/api/auth/logout/"),
     ("PROPFIND", "/api/auth/login/"), ("BREW", "/api/auth/register/"), ("POST", "/api/health/"),
     ("GET", "/api/auth/login/")],
)
def test_unknown_methods_on_api_routes_are_a_json_405(browser, method, url, headers):
    response = browser.generic(method, url, "{}", content_type="application/json", **headers)

    if headers is HEADERS["foreign-origin"] and url in COOKIE_ROUTES and method != "GET":
        assert_json_error(response, 403, "origin_not_allowed")  # the cross-site check runs first
    else:
        assert_json_error(response, 405, "method_not_allowed")


@pytest.mark.parametrize("headers", HEADERS.values(), ids=HEADERS.keys())
@pytest.mark.parametrize("url", ["/api/auth/login/", "/api/auth/refresh/", "/api/health/"])
def test_options_on_api_routes_answers_json(browser, url, headers):
    response = browser.options(url, **headers)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_the_real_routes_still_work_with_csrf_checks_enforced(browser, user):
    response = browser.post(
        "/api/auth/login/", {"username": "alice", "password": PASSWORD}, content_type="application/json",
        HTTP_ORIGIN="http://testserver",
    )

    assert response.status_code == 200


# A route that Django's CSRF check guards, to see what a CSRF failure under /api/ answers.
def _guarded(request):
    return HttpResponse("changed")


urlpatterns = [path("api/guarded/", _guarded), path("elsewhere/", _guarded)]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("headers", HEADERS.values(), ids=HEADERS.keys())
def test_a_csrf_failure_under_api_is_a_json_403(browser, headers):
    # Repro: a CSRF failure under /api/ rendered Django's HTML "CSRF verification failed" page.
    response = browser.post("/api/guarded/", "{}", content_type="application/json", **headers)

    assert_json_error(response, 403, "csrf_failed")


@pytest.mark.urls(__name__)
def test_a_csrf_failure_elsewhere_keeps_djangos_page(browser):
    response = browser.post("/elsewhere/", "{}", content_type="application/json")

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert b"CSRF" in response.content


def test_the_admin_login_without_a_csrf_token_keeps_djangos_page(browser, user):
    response = browser.post("/admin/login/", {"username": "alice", "password": PASSWORD})

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


def test_the_csrf_failure_view_does_not_echo_the_reason_under_api():
    request = RequestFactory().post("/api/auth/login/")

    response = errors.csrf_failure(request, reason="CSRF cookie not set.")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert b"cookie" not in response.content


FORMAT_ROUTES = [
    ("GET", "/api/health/"),
    ("POST", "/api/auth/login/"),
    ("POST", "/api/auth/register/"),
    ("GET", "/api/auth/me/"),
    ("GET", "/api/auth/sessions/"),
    ("POST", "/api/auth/logout-all/"),
    ("GET", "/api/schema/"),
    ("GET", "/api/docs/"),
    ("DELETE", f"/api/auth/sessions/{SESSION}/"),
]


@pytest.mark.parametrize("method, url", FORMAT_ROUTES)
def test_an_unknown_format_is_a_json_404_not_a_500_unauthenticated(method, url):
    # Repro: GET /api/health/?format=x -> 500 (the handler read `.detail` of Django's Http404).
    client = Client(raise_request_exception=False)

    response = client.generic(method, f"{url}?format=x", "{}", content_type="application/json")

    assert_json_error(response, 404, "not_found")


@pytest.mark.parametrize("method, url", FORMAT_ROUTES)
def test_an_unknown_format_is_a_json_404_not_a_500_authenticated(logged_in, method, url):
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {logged_in.access}")

    response = client.generic(method, f"{url}?format=x", "{}", content_type="application/json")

    assert_json_error(response, 404, "not_found")


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Bearer gat_nope"])
def test_the_schema_with_a_bad_bearer_answers_401_in_json_not_yaml(header):
    # Repro: GET /api/schema/ with a bad Bearer -> 401 as application/vnd.oai.openapi (YAML).
    response = Client().get("/api/schema/", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401, response.content[:200]
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"]
    assert response.json()["detail"]


def test_the_schema_still_answers_yaml_and_json_when_asked():
    assert Client().get("/api/schema/")["Content-Type"].startswith("application/vnd.oai.openapi")
    assert Client().get("/api/schema/?format=json")["Content-Type"].startswith("application/vnd.oai.openapi+json")
