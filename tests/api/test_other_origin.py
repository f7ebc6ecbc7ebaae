"""A browser app on another origin of the same site (CORS_ALLOWED_ORIGINS,
REFRESH_COOKIE_SAMESITE, REFRESH_COOKIE_DOMAIN), and the attacks on it."""
import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from backend.env import cookie_domain_from, env_origins, env_samesite
from tests.conftest import PASSWORD

APP = "http://app.localhost:8001"
COOKIE_ROUTES = ["/api/auth/login/", "/api/auth/refresh/", "/api/auth/logout/"]


@pytest.fixture
def listed(settings):
    settings.CORS_ALLOWED_ORIGINS = [APP]
    return APP


def login(client, origin=None, **extra):
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    return client.post(
        "/api/auth/login/", {"username": "alice", "password": PASSWORD}, content_type="application/json",
        **headers, **extra,
    )


# --- the cookie's attributes -------------------------------------------------

def test_the_refresh_cookie_is_strict_and_host_only_by_default(client, user):
    cookie = login(client).cookies["refresh_token"]
    assert cookie["samesite"] == "Strict"
    assert cookie["domain"] == ""
    assert cookie["httponly"] is True


def test_lax_and_a_domain_apply_to_setting_and_clearing_the_cookie(client, user, settings):
    settings.GATEHOUSE = {
        **settings.GATEHOUSE, "REFRESH_COOKIE_SAMESITE": "Lax", "REFRESH_COOKIE_DOMAIN": "example.com",
    }
    set_cookie = login(client).cookies["refresh_token"]
    assert (set_cookie["samesite"], set_cookie["domain"]) == ("Lax", "example.com")
    refreshed = client.post("/api/auth/refresh/").cookies["refresh_token"]
    assert (refreshed["samesite"], refreshed["domain"]) == ("Lax", "example.com")
    cleared = client.post("/api/auth/logout/").cookies["refresh_token"]
    # A clearing cookie with other attributes would leave the real one in the browser.
    assert cleared["max-age"] == 0
    assert (cleared["samesite"], cleared["domain"], cleared["path"]) == ("Lax", "example.com", "/api/auth/")


@pytest.mark.parametrize("raw, value", [(None, "Strict"), ("strict", "Strict"), ("LAX", "Lax"), (" Lax ", "Lax")])
def test_samesite_reads_strict_or_lax(monkeypatch, raw, value):
    if raw is None:
        monkeypatch.delenv("REFRESH_COOKIE_SAMESITE", raising=False)
    else:
        monkeypatch.setenv("REFRESH_COOKIE_SAMESITE", raw)
    assert env_samesite("REFRESH_COOKIE_SAMESITE", "Strict") == value


@pytest.mark.parametrize("raw", ["None", "none", "yes", "Strict;Secure"])
def test_samesite_none_or_anything_else_stops_the_start(monkeypatch, raw):
    # None would send the refresh cookie to every site: another site uses the OpenID Provider instead.
    monkeypatch.setenv("REFRESH_COOKIE_SAMESITE", raw)
    with pytest.raises(ImproperlyConfigured, match="REFRESH_COOKIE_SAMESITE"):
        env_samesite("REFRESH_COOKIE_SAMESITE", "Strict")


@pytest.mark.parametrize("value, site_url, domain", [
    (None, "https://auth.example.com", None),
    ("", "https://auth.example.com", None),
    ("example.com", "https://auth.example.com", "example.com"),
    (".example.com", "https://auth.example.com", "example.com"),
    ("auth.example.com", "https://auth.example.com", "auth.example.com"),
    ("example.com", None, "example.com"),
])
def test_the_cookie_domain_is_sites_host_or_a_parent(value, site_url, domain):
    assert cookie_domain_from(value, site_url) == domain


@pytest.mark.parametrize("value, site_url", [
    ("example.org", "https://auth.example.com"),  # the browser would drop every cookie
    ("ample.com", "https://auth.example.com"),
    ("https://example.com", "https://auth.example.com"),
    ("example.com:443", "https://auth.example.com"),
    ("Example.com", "https://auth.example.com"),
    ("127.0.0.1", "http://127.0.0.1:8000"),
])
def test_a_cookie_domain_that_could_not_work_stops_the_start(value, site_url):
    with pytest.raises(ImproperlyConfigured, match="REFRESH_COOKIE_DOMAIN"):
        cookie_domain_from(value, site_url)


# --- which origins are listed ---------------------------------------------

def test_origins_are_read_one_by_one(monkeypatch):
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "https://app.example.com, http://localhost:5173")
    assert env_origins("CORS_ALLOWED_ORIGINS") == ["https://app.example.com", "http://localhost:5173"]


@pytest.mark.parametrize("raw", [
    "*", "https://*.example.com", "null", "https://app.example.com/", "https://app.example.com/path",
    "app.example.com", "HTTPS://APP.EXAMPLE.COM", "ftp://app.example.com", "https://app.example.com,*",
])
def test_a_wildcard_or_anything_but_an_exact_origin_stops_the_start(monkeypatch, raw):
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", raw)
    with pytest.raises(ImproperlyConfigured, match="CORS_ALLOWED_ORIGINS"):
        env_origins("CORS_ALLOWED_ORIGINS")


@pytest.mark.parametrize("change", [
    {"CORS_ALLOW_ALL_ORIGINS": True},
    {"CORS_ALLOWED_ORIGINS": ["*"]},
    {"CORS_ALLOWED_ORIGINS": ["null"]},
    {"CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://.*\.example\.com$"]},
])
def test_credentials_with_a_wildcard_in_a_settings_module_is_an_error(settings, change):
    for name, value in change.items():
        setattr(settings, name, value)
    assert "gatehouse.E001" in [message.id for message in run_checks()]


def test_the_shipped_settings_pass_the_wildcard_check(listed):
    assert "gatehouse.E001" not in [message.id for message in run_checks()]


# --- the Origin defence and CORS, attacked ----------------------------------

def test_a_listed_origin_logs_in_refreshes_and_logs_out_with_cors_credentials(client, user, listed):
    response = login(client, origin=APP)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP
    assert response["Access-Control-Allow-Credentials"] == "true"
    # The client judges expiry by the server's clock: the page must be able to read Date.
    assert "date" in response["Access-Control-Expose-Headers"].lower()
    assert "retry-after" in response["Access-Control-Expose-Headers"].lower()
    refreshed = client.post("/api/auth/refresh/", HTTP_ORIGIN=APP)
    assert refreshed.status_code == 200
    assert refreshed["Access-Control-Allow-Origin"] == APP
    assert client.post("/api/auth/logout/", HTTP_ORIGIN=APP).status_code == 204


def test_a_listed_origin_is_answered_the_preflight_of_a_bearer_call(client, listed):
    response = client.options(
        "/api/auth/me/", HTTP_ORIGIN=APP, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    assert response["Access-Control-Allow-Origin"] == APP
    assert "authorization" in response["Access-Control-Allow-Headers"].lower()


LOOKALIKES = [
    "http://app.localhost.evil",
    "http://app.localhost:8002",
    "https://app.localhost:8001",
    "http://evil-app.localhost:8001",
    "http://app.localhost:8001.evil",
    "null",
    "http://APP.localhost:8001",
    "",
]


@pytest.mark.parametrize("origin", LOOKALIKES + ["https://evil.example"])
@pytest.mark.parametrize("path", COOKIE_ROUTES)
def test_an_unlisted_or_lookalike_origin_is_refused_on_every_cookie_route(client, user, listed, origin, path):
    login(client)  # a refresh cookie in the jar: the refusal must not depend on its absence
    response = client.post(path, {"username": "alice", "password": PASSWORD}, content_type="application/json",
                           HTTP_ORIGIN=origin)
    assert response.status_code == 403
    assert response.json()["code"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in response
    assert "refresh_token" not in response.cookies or response.cookies["refresh_token"]["max-age"] == 0


@pytest.mark.parametrize("origin", LOOKALIKES)
def test_no_cors_answer_ever_names_an_unlisted_origin_or_a_wildcard(client, listed, origin):
    response = client.options(
        "/api/auth/refresh/", HTTP_ORIGIN=origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Credentials" not in response


def test_without_any_listed_origin_a_sibling_origin_is_refused(client, user):
    response = login(client, origin=APP)
    assert response.status_code == 403
    assert response.json()["code"] == "origin_not_allowed"
