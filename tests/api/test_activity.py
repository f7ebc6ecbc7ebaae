"""GET /api/auth/activity/: the caller's own security events, newest first, a page at a time."""
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from accounts import activity
from accounts.audit import record_event
from accounts.limits.net import ClientInfo
from accounts.models import RevocationReason, SecurityEvent, SecurityEventKind
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ACTIVITY = "/api/auth/activity/"
NEW_PASSWORD = "a brand new passphrase"


def rows(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_activity_is_401_without_a_token(client, db):
    # Repro: GET /api/auth/activity/ with no Authorization header.
    response = client.get(ACTIVITY)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "not_authenticated"


def test_activity_shows_a_login_with_its_device_ip_and_session(client, user):
    # Repro: log in from a phone, then GET /api/auth/activity/: the login is there with where it came from.
    from tests.conftest import LoggedIn, login

    response = login(client, HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Safari/604.1", REMOTE_ADDR="198.51.100.7")
    phone = LoggedIn(client, response)

    answer = phone.get(ACTIVITY)
    [row] = rows(answer)

    session_id = phone.get("/api/auth/sessions/").json()[0]["id"]
    assert set(row) == {"id", "kind", "label", "reason", "created_at", "ip_address", "user_agent", "device", "session", "current"}
    assert row["kind"] == "login_succeeded" and row["label"] == "Signed in"
    assert row["ip_address"] == "198.51.100.7" and row["user_agent"] == "Mozilla/5.0 (iPhone) Safari/604.1"
    assert row["session"] == session_id and row["current"] is True
    assert answer["Cache-Control"] == "no-store"


def test_activity_lists_only_the_callers_own_events(logged_in, log_in, make_user):
    # Repro: bob logs in and fails a login as "alice"; alice's activity must show neither.
    make_user("bob")
    bob = log_in("bob", HTTP_USER_AGENT="Bob's browser", REMOTE_ADDR="203.0.113.66")
    bob.post("/api/auth/logout-all/")
    assert logged_in.client.post(
        "/api/auth/login/", {"username": "alice", "password": "wrong"}, format="json", REMOTE_ADDR="203.0.113.66"
    ).status_code == 401

    body = logged_in.get(ACTIVITY).content.decode()

    assert "203.0.113.66" not in body and "Bob" not in body
    assert {row["kind"] for row in rows(logged_in.get(ACTIVITY))} == {"login_succeeded"}
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, username="alice").exists()


def test_activity_is_newest_first_and_a_password_change_shows_with_the_sessions_it_ended(logged_in, log_in):
    # Repro: log in twice, change the password: newest first, the change and the other sessions' end on top.
    log_in()
    assert logged_in.post(
        "/api/auth/password/", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    ).status_code == 204

    found = rows(logged_in.get(ACTIVITY))

    assert [row["kind"] for row in found] == [
        "session_revoked", "password_changed", "login_succeeded", "login_succeeded",
    ]
    assert found[0]["label"] == "Other sessions signed out after the password change"
    assert found[1]["label"] == "Password changed" and found[1]["current"] is True
    times = [row["created_at"] for row in found]
    assert times == sorted(times, reverse=True)


def test_activity_comes_a_page_at_a_time_without_repeats(logged_in, user):
    # Repro: 45 events; the first page holds 20 and links the next, the pages together hold each event once.
    start = timezone.now() - timedelta(days=1)
    SecurityEvent.objects.bulk_create(
        SecurityEvent(kind=SecurityEventKind.REAUTHENTICATED, user=user, created_at=start + timedelta(minutes=i))
        for i in range(44)
    )

    seen, url, pages = [], ACTIVITY, 0
    while url:
        body = logged_in.get(url).json()
        seen += [row["id"] for row in body["results"]]
        pages += 1
        url = body["next"] and f"{ACTIVITY}?{urlsplit(body['next']).query}"
        if pages == 1:
            assert len(body["results"]) == 20 and body["previous"] is None
            assert set(parse_qs(urlsplit(body["next"]).query)) == {"cursor"}

    assert pages == 3 and len(seen) == 45 and len(set(seen)) == 45
    assert len(rows(logged_in.get(f"{ACTIVITY}?page_size=50"))) == 45


def test_a_page_size_above_the_maximum_is_cut_to_it(logged_in, user):
    SecurityEvent.objects.bulk_create(
        SecurityEvent(kind=SecurityEventKind.REAUTHENTICATED, user=user) for _ in range(120)
    )

    assert len(rows(logged_in.get(f"{ACTIVITY}?page_size=1000"))) == 100


@pytest.mark.parametrize("made_up", ["o=x", "p=not a time", "p=2026-13-45 99:00:00", "r=1&p=\x00"])
def test_a_made_up_cursor_is_a_json_404(logged_in, made_up):
    # Repro: ?cursor= with a position that is no time; never a 500.
    import base64

    cursor = base64.urlsafe_b64encode(made_up.encode()).decode()
    response = logged_in.get(f"{ACTIVITY}?cursor={cursor}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_administrators_address_and_device_are_not_shown_to_the_user(logged_in, user, make_user):
    # Repro: an administrator revokes alice's sessions from the admin; her activity shows
    # that it happened, but not the administrator's IP address or browser.
    admin = make_user("root", is_staff=True, is_superuser=True)
    record_event(
        SecurityEventKind.SESSION_REVOKED, user=user, actor=admin, reason=RevocationReason.ADMIN_REVOKED,
        client=ClientInfo("192.0.2.250", "The admin's browser"),
    )

    newest = rows(logged_in.get(ACTIVITY))[0]

    assert newest["label"] == "Signed out by an administrator"
    assert newest["ip_address"] is None and newest["user_agent"] == "" and newest["device"] is None
    assert "root" not in logged_in.get(ACTIVITY).content.decode()


def test_failed_logins_are_left_out_even_when_recorded_against_the_account(logged_in, user):
    # A failed login names no account (only the name as typed); should one ever be
    # recorded with its user, it still is not shown: the list holds what the user did.
    record_event(SecurityEventKind.LOGIN_FAILED, user=user, client=ClientInfo("192.0.2.1", "guesser"))

    assert "login_failed" not in {row["kind"] for row in rows(logged_in.get(ACTIVITY))}


def test_every_event_kind_is_either_shown_or_deliberately_left_out():
    # A new kind must be decided on: shown with a label, or listed as hidden with the reason.
    kinds = set(SecurityEventKind.values)

    assert activity.SHOWN_KINDS | set(activity.HIDDEN_KINDS) == kinds
    assert not activity.SHOWN_KINDS & set(activity.HIDDEN_KINDS)


@pytest.mark.parametrize(
    "kind, reason, session, label",
    [
        (SecurityEventKind.LOGIN_SUCCEEDED, "", False, "Signed in to the admin site"),
        (SecurityEventKind.REGISTERED, "", False, "Account created"),
        (SecurityEventKind.LOGOUT, RevocationReason.LOGOUT, True, "Signed out"),
        (SecurityEventKind.SESSION_REVOKED, RevocationReason.USER_REVOKED, True, "Signed out another session"),
        (SecurityEventKind.SESSION_REVOKED, RevocationReason.LOGOUT_ALL, False, "Signed out everywhere"),
        (SecurityEventKind.SESSION_REVOKED, RevocationReason.PASSWORD_RESET, False,
         "Every session signed out after the password reset"),
        (SecurityEventKind.REUSE_DETECTED, RevocationReason.REUSE_DETECTED, True,
         "Signed out: an old sign-in token of this session was used again"),
        (SecurityEventKind.PASSWORD_RESET_REQUESTED, "", False, "Password reset email sent"),
        (SecurityEventKind.PASSWORD_RESET, "", False, "Password reset with an email link"),
        (SecurityEventKind.REAUTHENTICATED, "", True, "Confirmed it was you with your password"),
        (SecurityEventKind.REAUTHENTICATED, "passkey", True, "Confirmed it was you with a passkey"),
        # Repro: the overview read "Change of email address asked for".
        (SecurityEventKind.EMAIL_CHANGE_REQUESTED, "", False, "Confirmation link sent to a new email address"),
        (SecurityEventKind.MFA_RECOVERY_CODE_USED, "", False, "Recovery code used"),
        (SecurityEventKind.PASSKEY_SIGN_COUNT_REGRESSED, "", False,
         "Passkey sign-in refused: the passkey may have been copied"),
    ],
)
def test_each_kind_reads_as_a_sentence(user, kind, reason, session, label):
    event = SecurityEvent(kind=kind, user=user, reason=reason)
    if session:
        import uuid

        event.session_id = uuid.uuid4()

    assert activity.label(event) == label


def test_the_openapi_document_describes_the_activity_route(client, db):
    # Repro: GET /api/schema/ and look for /api/auth/activity/: bearer-only, a cursor page of activity rows.
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    operation = schema["paths"]["/api/auth/activity/"]["get"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert {parameter["name"] for parameter in operation["parameters"]} == {"cursor", "page_size"}
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    rows_schema = schema["components"]["schemas"][page]["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][rows_schema]["properties"]) == {
        "id", "kind", "label", "reason", "created_at", "ip_address", "user_agent", "device", "session", "current",
    }
    assert "401" in operation["responses"]
