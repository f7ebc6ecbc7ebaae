"""The introspection route takes exactly ``Bearer <INTROSPECTION_SECRET>``: no prefix, no near miss, no empty value.

``tests/api/test_introspection.py`` tries a longer value; these try the
shorter and the nearly equal ones a prefix or truncated comparison would let in.
"""
import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

URL = "/api/auth/introspect/"
SECRET = "introspection-" + "s3cr3t" * 6


@pytest.fixture
def enabled(settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "INTROSPECTION_SECRET": SECRET}


def ask(authorization, token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=authorization)
    return client.post(URL, {"token": token}, format="json")


def changed_last_character(secret):
    return secret[:-1] + ("x" if secret[-1] != "x" else "y")


@pytest.mark.parametrize(
    "authorization",
    [
        f"Bearer {SECRET[:-1]}",
        f"Bearer {SECRET[:1]}",
        f"Bearer {changed_last_character(SECRET)}",
        "Bearer ",
        "Bearer",
    ],
    ids=["all-but-the-last-character", "one-character", "last-character-changed", "empty-bearer", "bare-scheme"],
)
def test_a_prefix_or_near_miss_of_the_secret_is_401(enabled, logged_in, authorization):
    # repro: Authorization: Bearer <SECRET[:-1]> (or one character, or the last character changed, or nothing)
    # → 401 invalid_client with a challenge, never the token's claims
    response = ask(authorization, logged_in.access)

    assert response.status_code == 401, response.content
    assert response.json()["code"] == "invalid_client"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "active" not in response.json()


def test_the_exact_secret_is_accepted(enabled, logged_in):
    # The control for the refusals above: the same request with the whole secret is answered.
    response = ask(f"Bearer {SECRET}", logged_in.access)

    assert response.status_code == 200 and response.json()["active"] is True
