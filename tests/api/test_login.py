import jwt
import pytest
from django.conf import settings

from accounts.models import RefreshSession, SecurityEvent, SecurityEventKind
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db


def test_login_returns_access_token_user_and_refresh_cookie(client, user):
    response = login(client)

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert body["user"] == {
        "id": user.id, "username": "alice", "email": "alice@example.com",
        "is_staff": False, "date_joined": body["user"]["date_joined"], "email_verified": False,
        "mfa_enrollment_required": False, "first_name": "", "last_name": "", "language": "",
        "has_password": True,
    }
    assert "refresh" not in body and "refresh_token" not in body
    assert response["Cache-Control"] == "no-store"


def test_access_token_carries_the_contract_claims(client, user):
    access = login(client).json()["access"]

    claims = jwt.decode(access, settings.SIMPLE_JWT["SIGNING_KEY"], algorithms=["HS256"])
    session = RefreshSession.objects.get(user=user)
    assert claims["token_type"] == "access"
    assert claims["user_id"] == str(user.id)
    assert claims["sid"] == str(session.id)
    assert claims["exp"] - claims["iat"] == 300
    assert claims["jti"]
    assert jwt.get_unverified_header(access)["alg"] == "HS256"


def test_refresh_cookie_has_the_contract_attributes(client, user):
    cookie = login(client).cookies["refresh_token"]

    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/api/auth/"
    assert cookie["secure"] is True
    assert abs(int(cookie["max-age"]) - 7 * 24 * 3600) <= 2


def test_refresh_token_is_opaque_long_and_not_stored(client, user):
    token = login(client).cookies["refresh_token"].value

    assert token.count(".") == 2  # not a JWT (three segments would be base64 JSON)
    mac = token.rsplit(".", 1)[1]
    assert len(mac) >= 43  # 256-bit MAC, base64url
    session = RefreshSession.objects.get(user=user)
    stored = " ".join(str(value) for value in session.__dict__.values())
    assert mac not in stored


def test_login_records_session_device_and_event(client, user):
    login(client, HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", REMOTE_ADDR="203.0.113.9")

    session = RefreshSession.objects.get(user=user)
    assert session.ip_address == "203.0.113.9"
    assert "Firefox" in session.user_agent
    event = SecurityEvent.objects.get(kind=SecurityEventKind.LOGIN_SUCCEEDED)
    assert (event.user, event.session_id, event.ip_address) == (user, session.id, "203.0.113.9")


@pytest.mark.parametrize(
    "username, password",
    [("alice", "wrong password"), ("nobody", PASSWORD), ("inactive", PASSWORD)],
    ids=["wrong-password", "unknown-user", "inactive-user"],
)
def test_failed_logins_all_get_the_same_answer(client, make_user, username, password):
    make_user("alice")
    make_user("inactive", is_active=False)

    response = login(client, username, password)

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid username or password.", "code": "invalid_credentials"}
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "refresh_token" not in response.cookies
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, username=username).count() == 1


@pytest.mark.parametrize(
    "body",
    [{}, {"username": "alice"}, {"password": PASSWORD}, {"username": 5, "password": []},
     {"username": "a" * 255, "password": "x"}, ["alice", PASSWORD], "alice", None],
)
def test_malformed_login_bodies_get_400_json(client, user, body):
    response = client.post("/api/auth/login/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_login_with_broken_json_gets_400(client, user):
    response = client.post("/api/auth/login/", '{"username": "alice",', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_login_needs_json(client, user):
    response = client.post("/api/auth/login/", f"username=alice&password={PASSWORD}",
                           content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_login_records_last_login_for_the_admin(client, user):
    login(client)

    user.refresh_from_db()
    assert user.last_login is not None
