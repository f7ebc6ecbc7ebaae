"""The JWKS is for everyone: readable from any origin, cacheable for a short while, never with credentials."""
import pytest

from accounts.sessions.jwt_keys import JWKS_MAX_AGE

pytestmark = pytest.mark.django_db

JWKS = "/.well-known/jwks.json"
ELSEWHERE = "https://app.other.example"


def assert_public_cors(response):
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("method", ["get", "head"])
def test_the_jwks_is_readable_from_any_origin_and_cacheable(client, method):
    # Repro: a browser on another origin could not read the JWKS (no Access-Control-Allow-Origin).
    response = getattr(client, method)(JWKS, HTTP_ORIGIN=ELSEWHERE)

    assert response.status_code == 200
    assert_public_cors(response)
    assert response["Cache-Control"] == f"public, max-age={JWKS_MAX_AGE}"
    assert response["Content-Type"] == "application/json"


def test_the_jwks_answers_a_cors_preflight(client):
    # Repro: OPTIONS got 405, so a cross-origin fetch with a non-simple header (If-None-Match) failed.
    response = client.options(
        JWKS, HTTP_ORIGIN=ELSEWHERE, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )

    assert response.status_code == 204
    assert_public_cors(response)
    assert {method.strip() for method in response["Access-Control-Allow-Methods"].split(",")} == {"GET", "HEAD"}
    assert "if-none-match" in response["Access-Control-Allow-Headers"].lower()
    assert int(response["Access-Control-Max-Age"]) > 0


def test_an_origin_listed_for_the_api_still_gets_no_credentials_on_the_jwks(client, settings):
    # django-cors-headers answers /api/ for CORS_ALLOWED_ORIGINS with credentials; the JWKS stays public.
    settings.CORS_ALLOWED_ORIGINS = [ELSEWHERE]

    assert_public_cors(client.get(JWKS, HTTP_ORIGIN=ELSEWHERE))
    assert_public_cors(client.options(JWKS, HTTP_ORIGIN=ELSEWHERE, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"))


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_jwks_refuses_writes(client, method):
    response = getattr(client, method)(JWKS, HTTP_ORIGIN=ELSEWHERE)

    assert response.status_code == 405
    assert "POST" not in response["Allow"]


def test_the_cache_lifetime_leaves_room_for_a_rotation(settings):
    # A verifier may hold a JWKS this long: far shorter than a key is kept after a rotation (README).
    assert 0 < JWKS_MAX_AGE <= 600
