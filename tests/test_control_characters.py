"""Control characters a client sends never reach a row (PostgreSQL refuses NUL in text)."""
import pytest
from django.test import Client

from accounts.models import RefreshSession, SecurityEvent, SecurityEventKind
from accounts.text import strip_control_characters
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mozilla/5.0 (X11; Linux)", "Mozilla/5.0 (X11; Linux)"),
        ("a\x00b", "ab"),
        ("a\tb", "a b"),
        ("line\r\nbreak\x0b\x0c", "linebreak"),
        ("\x1b[31mred\x1b[0m", "[31mred[0m"),
        ("del\x7f c1\x85\x9f", "del c1"),
        ("lone \ud800 surrogate \udfff", "lone  surrogate "),
        ("Ünïcödé ✓ \u200b\u00a0", "Ünïcödé ✓ \u200b\u00a0"),  # only Cc (and Cs) go; format and space characters stay
    ],
)
def test_strip_control_characters(text, expected):
    assert strip_control_characters(text) == expected


def test_a_nul_in_the_user_agent_does_not_fail_the_login(client, user):
    # Repro: POST /api/auth/login/ with "User-Agent: a\x00b" -> 500 on PostgreSQL (NUL in a text column).
    response = login(client, HTTP_USER_AGENT="curl\x00/8.0\tbeta")

    assert response.status_code == 200
    assert RefreshSession.objects.get().user_agent == "curl/8.0 beta"
    assert SecurityEvent.objects.get(kind=SecurityEventKind.LOGIN_SUCCEEDED).user_agent == "curl/8.0 beta"


def test_a_long_user_agent_is_cleaned_then_cut_to_the_column(client, user):
    response = login(client, HTTP_USER_AGENT="\x00" * 600 + "x" * 600)

    assert response.status_code == 200
    assert RefreshSession.objects.get().user_agent == "x" * 512


def test_a_nul_in_the_user_agent_on_refresh_and_logout(logged_in):
    # Repro: the same header on the other routes that record the client.
    logged_in.client.credentials(HTTP_USER_AGENT="evil\x00agent")
    assert logged_in.refresh().status_code == 200
    assert logged_in.client.post("/api/auth/logout/").status_code == 204
    assert logged_in.client.post("/api/auth/login/", {"username": "alice", "password": "wrong"},
                                 format="json").status_code == 401

    assert "\x00" not in "".join(SecurityEvent.objects.values_list("user_agent", flat=True))


def test_a_failed_login_records_the_username_without_control_characters(client, user):
    # Repro: a failed login as "al\x01ice\x1b" stored the control characters in the audit trail.
    response = login(client, "al\x01ice\x1b\x7f", "wrong")

    assert response.status_code == 401
    assert SecurityEvent.objects.get(kind=SecurityEventKind.LOGIN_FAILED).username == "alice"


def test_a_failed_admin_login_with_a_nul_in_the_username_is_recorded_cleanly(user):
    # Repro: POST /admin/login/ username "ali\x00ce" -> the failure event's insert fails on PostgreSQL.
    response = Client().post("/admin/login/", {"username": "ali\x00ce", "password": "wrong", "next": "/admin/"})

    assert response.status_code == 200
    assert SecurityEvent.objects.get(kind=SecurityEventKind.LOGIN_FAILED).username == "alice"


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_nul_in_the_login_credentials_is_400_json(client, user, field):
    credentials = {"username": "alice", "password": PASSWORD}
    credentials[field] = credentials[field][:2] + "\x00" + credentials[field][2:]

    response = client.post("/api/auth/login/", credentials, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize(
    "field, value",
    [("username", "b\x00ob"), ("email", "b\x00ob@example.com"), ("password", "long enough \x00 passphrase"),
     ("username", "b\x01ob"), ("email", "bob\x01@example.com"), ("email", '"bob\x01"@example.com'),
     ("email", '"bob\x7f"@example.com')],
)
def test_control_characters_in_a_sign_up_are_400_json(client, field, value):
    body = {"username": "bob", "email": "bob@example.com", "password": "long enough passphrase", field: value}

    response = client.post("/api/auth/register/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
