"""Personal access tokens over the API: create (shown once), use from a script, list, revoke; where they work."""
import hashlib
import os
import re
import time

import pytest
import time_machine
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.mail.models import OutboxMessage
from accounts.models import RefreshSession, RevocationReason, SecurityEvent, SecurityEventKind
from accounts.personal_tokens.models import PersonalAccessToken
from tests.conftest import PASSWORD
from tests.personal_tokens.conftest import TOKENS, Script, create

pytestmark = pytest.mark.django_db

TOKEN_FORM = re.compile(r"gat_[0-9a-f]{16}_[0-9A-Za-z]{43}")


def test_creating_a_token_needs_a_recent_authentication(logged_in):
    # repro: a session whose login is 301 s old POSTs /api/auth/tokens/ → 403 reauthentication_required, no token
    with time_machine.travel(time.time() + 301, tick=False):
        logged_in.refresh()
        refused = create(logged_in)
        assert refused.status_code == 403
        assert refused.json()["code"] == "reauthentication_required"
        assert not PersonalAccessToken.objects.exists()

        logged_in.access = logged_in.post("/api/auth/reauthenticate/", {"password": PASSWORD}).json()["access"]
        assert create(logged_in).status_code == 201


def test_the_token_is_shown_once_and_stored_only_as_a_keyed_digest(logged_in):
    # repro: create a token → the 201 body has it; the list and the database row hold neither it nor its secret part
    response = create(logged_in, name="deploy bot", expires_in_days=90)

    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert {"id", "name", "token", "expires_at"} <= set(body)
    assert body["name"] == "deploy bot"
    token = body["token"]
    assert TOKEN_FORM.fullmatch(token)
    secret = token.rsplit("_", 1)[1]
    assert body["prefix"] == token.rsplit("_", 1)[0]

    listed = logged_in.get(TOKENS).json()
    assert [item["id"] for item in listed] == [body["id"]]
    assert "token" not in listed[0]
    assert token not in str(listed) and secret not in str(listed)

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_personalaccesstoken")
        (row,) = cursor.fetchall()
    stored = " ".join(str(value) for value in row)
    assert token not in stored and secret not in stored
    assert hashlib.sha256(token.encode()).hexdigest() not in stored  # keyed, not a plain hash


def test_a_script_reads_me_with_only_the_token(created, user):
    # repro: curl -H "Authorization: Bearer gat_…" /api/auth/me/ from a client with no cookie → 200 with the user
    response = Script(created["token"]).get("/api/auth/me/")

    assert response.status_code == 200
    assert response.json()["username"] == "alice"
    assert response["Cache-Control"] == "no-store"


def test_the_token_works_after_the_session_that_made_it_ends(logged_in, created):
    # repro: log out everywhere (the contract: "Logout-all does not end it") → the token still reads /me/
    assert logged_in.post("/api/auth/logout-all/").status_code == 204
    assert RefreshSession.objects.active().count() == 0

    assert Script(created["token"]).get("/api/auth/me/").status_code == 200
    assert PersonalAccessToken.objects.get().revoked_at is None


MANAGEMENT_ROUTES = [
    ("get", "/api/auth/sessions/"),
    ("post", "/api/auth/logout-all/"),
    ("delete", "/api/auth/sessions/{session_id}/"),
    ("post", "/api/auth/password/"),
    ("post", "/api/auth/reauthenticate/"),
    ("get", "/api/auth/tokens/"),
    ("post", "/api/auth/tokens/"),
    ("delete", "/api/auth/tokens/{token_id}/"),
]


@pytest.mark.parametrize("method, path", MANAGEMENT_ROUTES)
def test_refused_on_the_routes_that_manage_sessions_tokens_and_the_password(logged_in, created, user, method, path):
    # repro: a personal token on GET /api/auth/sessions/ (and the others) → 403 personal_token_not_allowed, no change
    session = RefreshSession.objects.get()
    path = path.format(session_id=session.pk, token_id=created["id"])
    body = {"password": PASSWORD, "current_password": PASSWORD, "new_password": "another passphrase 42",
            "name": "successor", "expires_in_days": 365}

    response = getattr(Script(created["token"]), method)(path, **({"data": body} if method == "post" else {}))

    assert response.status_code == 403, response.content
    assert response.json()["code"] == "personal_token_not_allowed"
    assert RefreshSession.objects.active().count() == 1
    assert PersonalAccessToken.objects.not_revoked().count() == 1
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_staff_user_list_takes_a_token_of_staff_with_the_permission(make_user, log_in):
    from django.contrib.auth.models import Permission

    staff = make_user("boss", is_staff=True)
    browser = log_in("boss")
    token = create(browser).json()["token"]
    assert Script(token).get("/api/auth/users/").status_code == 403  # staff alone is not enough, as with a JWT

    staff.user_permissions.add(Permission.objects.get(content_type__app_label="accounts", codename="view_user"))
    response = Script(token).get("/api/auth/users/")
    assert response.status_code == 200
    assert [row["username"] for row in response.json()["results"]] == ["boss"]


def test_revoking_a_token_ends_it_at_once_and_only_its_owner_can(logged_in, created, make_user, log_in):
    # repro: DELETE /api/auth/tokens/<id>/ → 204, and the next script call is a 401
    make_user("mallory")
    mallory = log_in("mallory")
    assert mallory.delete(f"{TOKENS}{created['id']}/").status_code == 404  # not hers: as if it did not exist
    assert Script(created["token"]).get("/api/auth/me/").status_code == 200

    assert logged_in.delete(f"{TOKENS}{created['id']}/").status_code == 204

    response = Script(created["token"]).get("/api/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "personal_token_revoked"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert logged_in.get(TOKENS).json() == []
    assert logged_in.delete(f"{TOKENS}{created['id']}/").status_code == 404
    assert logged_in.delete(f"{TOKENS}00000000-0000-0000-0000-000000000000/").status_code == 404
    row = PersonalAccessToken.objects.get()
    assert row.revoked_reason == RevocationReason.USER_REVOKED


def test_a_token_ends_at_its_expiry(logged_in):
    # repro: a 1-day token used 24 h + 1 s later → 401 personal_token_expired; the list still shows it, as expired
    token = create(logged_in, expires_in_days=1).json()["token"]
    with time_machine.travel(time.time() + 86400 - 5, tick=False):
        assert Script(token).get("/api/auth/me/").status_code == 200
    with time_machine.travel(time.time() + 86400 + 1, tick=False):
        response = Script(token).get("/api/auth/me/")
        assert response.status_code == 401
        assert response.json()["code"] == "personal_token_expired"
        logged_in.refresh()
        (listed,) = logged_in.get(TOKENS).json()
        assert listed["expired"] is True


def test_a_password_change_keeps_the_tokens(logged_in, created):
    # decision: the owner changing the password (in a session that stays signed in) leaves the tokens working
    response = logged_in.post(
        "/api/auth/password/", {"current_password": PASSWORD, "new_password": "a brand new passphrase 42"}
    )
    assert response.status_code == 204

    assert Script(created["token"]).get("/api/auth/me/").status_code == 200


def test_a_token_of_an_inactive_user_is_refused(created, user):
    # repro: the user is made inactive without a save signal (QuerySet.update) → the token is a 401 at once
    type(user).objects.filter(pk=user.pk).update(is_active=False)

    response = Script(created["token"]).get("/api/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "personal_token_invalid"


@pytest.mark.parametrize("change", ["secret", "lookup", "digit", "truncate", "extend"])
def test_a_forged_or_modified_token_is_a_401(created, change):
    # repro: one character of a genuine token changed → 401 personal_token_invalid, never a 200 or a 500
    token = created["token"]
    prefix, secret = token.rsplit("_", 1)
    forged = {
        "secret": f"{prefix}_{'A' if secret[0] != 'A' else 'B'}{secret[1:]}",
        "lookup": f"gat_{'0' if prefix[4] != '0' else '1'}{prefix[5:]}_{secret}",
        "digit": token[:-1] + ("a" if token[-1] != "a" else "b"),
        "truncate": token[:-1],
        "extend": token + "a",
    }[change]

    response = Script(forged).get("/api/auth/me/")

    assert response.status_code == 401
    assert response.json() == {"detail": "The personal access token is not valid.", "code": "personal_token_invalid"}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(
    "header",
    [
        "Bearer gat_",
        "Bearer gat_" + "a" * 5000,
        "Bearer gat_0123456789abcdef_" + "é" * 43,
        "Bearer gat_0123456789ABCDEF_" + "a" * 43,
        "Bearer gat_0123456789abcdef_" + "a" * 42 + "-",
        "Bearer gat_0123456789abcdef-" + "a" * 43,
        "Bearer gat_0123456789abcdef_" + "a" * 43 + "\x00",
        "bearer gat_0123456789abcdef_" + "a" * 43,
        "Bearer gat_a gat_b",
        "Bearer  gat_" + "0" * 16 + "_" + "a" * 43,
        "Token gat_0123456789abcdef_" + "a" * 43,
        "Bearer",
        "Bearer ",
        "Bearer eyJ.not.ajwt",
        "gat_0123456789abcdef_" + "a" * 43,
    ],
)
def test_wrong_prefix_or_malformed_tokens_never_get_a_500(client, header):
    # repro: odd Authorization headers that start like a personal token, or almost → a 401 JSON answer, never a 500
    response = client.get("/api/auth/me/", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401, response.content
    assert set(response.json()) == {"detail", "code"}


def test_a_jwt_still_goes_to_the_jwt_authentication(logged_in):
    assert logged_in.get("/api/auth/me/").status_code == 200
    assert logged_in.get("/api/auth/sessions/").status_code == 200


def test_last_use_is_recorded_at_most_once_a_minute(created, django_assert_num_queries):
    # repro: a script calling /me/ every few seconds → one UPDATE of last_used_at a minute, not one per request
    script = Script(created["token"])
    with django_assert_num_queries(2):  # the token with its user; the first use's UPDATE
        assert script.get("/api/auth/me/", REMOTE_ADDR="203.0.113.7").status_code == 200
    row = PersonalAccessToken.objects.get()
    first_use = row.last_used_at
    assert first_use is not None and row.last_used_ip == "203.0.113.7"

    with time_machine.travel(time.time() + 30, tick=False):
        with django_assert_num_queries(1):  # within the minute: read only
            assert script.get("/api/auth/me/", REMOTE_ADDR="198.51.100.1").status_code == 200
    row.refresh_from_db()
    assert (row.last_used_at, row.last_used_ip) == (first_use, "203.0.113.7")

    with time_machine.travel(time.time() + 61, tick=False):
        with django_assert_num_queries(2):
            assert script.get("/api/auth/me/", REMOTE_ADDR="198.51.100.1").status_code == 200
    row.refresh_from_db()
    assert row.last_used_at > first_use and row.last_used_ip == "198.51.100.1"

    listed = PersonalAccessToken.objects.get()
    assert listed.last_used_ip == "198.51.100.1"


def test_a_stale_row_does_not_write_twice(created):
    # repro: two processes read the token at once, both see last use > 1 min ago → only the first UPDATE writes
    from accounts.personal_tokens import flows

    stale_copy_a = PersonalAccessToken.objects.get()
    stale_copy_b = PersonalAccessToken.objects.get()
    flows.record_use(token=stale_copy_a, ip_address="203.0.113.1")
    flows.record_use(token=stale_copy_b, ip_address="203.0.113.2")

    assert PersonalAccessToken.objects.get().last_used_ip == "203.0.113.1"


def test_the_list_shows_only_the_callers_tokens_without_a_secret(logged_in, created, make_user, log_in):
    make_user("bob")
    create(log_in("bob"), name="bob's")
    Script(created["token"]).get("/api/auth/me/")

    (item,) = logged_in.get(TOKENS).json()

    assert set(item) == {
        "id", "name", "prefix", "created_at", "expires_at", "last_used_at", "last_used_ip", "scopes", "expired",
    }
    assert item["scopes"] == ["profile:read", "users:read"]
    assert item["name"] == "ci" and item["last_used_ip"] == "127.0.0.1" and item["expired"] is False


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "", "expires_in_days": 30, "scopes": ["profile:read"]}, "name"),
        ({"name": "   ", "expires_in_days": 30, "scopes": ["profile:read"]}, "name"),
        ({"name": "x" * 101, "expires_in_days": 30, "scopes": ["profile:read"]}, "name"),
        ({"name": "bad\nname", "expires_in_days": 30, "scopes": ["profile:read"]}, "name"),
        ({"name": "ok", "expires_in_days": 0, "scopes": ["profile:read"]}, "expires_in_days"),
        ({"name": "ok", "expires_in_days": 366, "scopes": ["profile:read"]}, "expires_in_days"),
        ({"name": "ok", "expires_in_days": "soon", "scopes": ["profile:read"]}, "expires_in_days"),
        ({"name": "ok", "expires_in_days": True, "scopes": ["profile:read"]}, "expires_in_days"),
        ({"name": "ok", "scopes": ["profile:read"]}, "expires_in_days"),
        ({"expires_in_days": 30, "scopes": ["profile:read"]}, "name"),
    ],
)
def test_invalid_names_expiries_and_scopes_are_a_400_naming_the_field(logged_in, body, field):
    # repro: POST /api/auth/tokens/ with an unknown scope ("profile:write") → 400 naming `scopes`, no token
    response = logged_in.post(TOKENS, body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
    assert not PersonalAccessToken.objects.exists()
    assert not PersonalAccessToken.objects.exists()


def test_names_are_unique_per_user_among_tokens_not_revoked(logged_in, created, make_user, log_in):
    # decision: "CI" and "ci" are one name for one user; a revoked token's name is free again; other users are apart
    duplicate = create(logged_in, name="CI ")
    assert duplicate.status_code == 400
    assert "already have a token" in duplicate.json()["fields"]["name"][0]

    make_user("bob")
    assert create(log_in("bob"), name="ci").status_code == 201
    assert logged_in.delete(f"{TOKENS}{created['id']}/").status_code == 204
    assert create(logged_in, name="ci").status_code == 201


def test_a_user_holds_at_most_fifty_tokens(logged_in):
    from accounts.personal_tokens import flows

    for n in range(flows.MAX_TOKENS_PER_USER):
        assert create(logged_in, name=f"job {n}").status_code == 201
    response = create(logged_in, name="one more")
    assert response.status_code == 400
    assert "Delete one" in response.json()["detail"]


def test_creating_and_revoking_are_security_events_and_creation_is_mailed(logged_in, created, user):
    created_event = SecurityEvent.objects.get(kind=SecurityEventKind.PERSONAL_TOKEN_CREATED)
    assert created_event.user == user
    assert str(created_event.personal_token_id) == created["id"]
    assert created_event.session_id == RefreshSession.objects.get().pk
    (mail,) = OutboxMessage.objects.all()
    assert mail.to == "alice@example.com"
    assert created["prefix"] in mail.body_text and '“ci”' in mail.body_text
    assert created["token"] not in mail.body_text + mail.body_html
    assert created["token"].rsplit("_", 1)[1] not in mail.body_text + mail.body_html

    logged_in.delete(f"{TOKENS}{created['id']}/")
    revoked_event = SecurityEvent.objects.get(kind=SecurityEventKind.PERSONAL_TOKEN_REVOKED)
    assert str(revoked_event.personal_token_id) == created["id"]
    assert revoked_event.reason == RevocationReason.USER_REVOKED


def test_the_schema_lists_personal_tokens_only_where_they_work(client):
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/").content)
    paths = schema["paths"]

    assert {"personalToken": []} in paths["/api/auth/me/"]["get"]["security"]
    assert {"personalToken": []} in paths["/api/auth/users/"]["get"]["security"]
    for path, method in (("/api/auth/sessions/", "get"), ("/api/auth/tokens/", "post"),
                         ("/api/auth/tokens/scopes/", "get")):
        assert not [way for way in paths[path][method]["security"] if "personalToken" in way]
    assert schema["components"]["securitySchemes"]["personalToken"]["scheme"] == "bearer"


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "30")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rest=st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=300))
def test_anything_after_the_prefix_is_a_401_never_a_500(client, rest):
    # repro: generated text after "Bearer gat_" (Latin-1, as HTTP headers are) → 401 JSON
    response = client.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer gat_{rest}")

    assert response.status_code == 401, response.content
    assert set(response.json()) == {"detail", "code"}
