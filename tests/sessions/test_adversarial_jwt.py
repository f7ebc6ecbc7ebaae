"""Forged, malformed and misplaced access tokens: every one is a 401, none a 500."""
import base64
import hashlib
import hmac
import json
import socket
import time

import jwt
import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

def b64(data):
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims_of(access):
    return jwt.decode(access, settings.SIMPLE_JWT["SIGNING_KEY"], algorithms=["HS256"])


def kid_of(access):
    return jwt.get_unverified_header(access)["kid"]


def signed(logged_in, claims, headers=None, algorithm="HS256", key=None):
    """Sign as the server would (same kid, same key unless told otherwise), so
    that each forged token gets past the key lookup to the check under test."""
    headers = {"kid": kid_of(logged_in.access), **(headers or {})}
    return jwt.encode(claims, key or settings.SIMPLE_JWT["SIGNING_KEY"], algorithm=algorithm, headers=headers)


def unsigned(logged_in, claims, alg):
    return f"{b64({'alg': alg, 'typ': 'JWT', 'kid': kid_of(logged_in.access)})}.{b64(claims)}."


def assert_refused(logged_in, token, code="token_not_valid"):
    logged_in.access = token
    response = logged_in.get("/api/auth/me/")
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == code


def test_control_a_token_re_signed_like_the_server_does_is_accepted(logged_in):
    logged_in.access = signed(logged_in, claims_of(logged_in.access))

    assert logged_in.get("/api/auth/me/").status_code == 200


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_alg_none_is_refused(logged_in, alg):
    assert_refused(logged_in, unsigned(logged_in, claims_of(logged_in.access), alg))


def test_tampered_payload_is_refused(logged_in):
    header, payload, signature = logged_in.access.split(".")
    claims = claims_of(logged_in.access) | {"user_id": "999"}
    assert_refused(logged_in, f"{header}.{b64(claims)}.{signature}")


def test_tampered_signature_is_refused(logged_in):
    header, payload, signature = logged_in.access.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert_refused(logged_in, f"{header}.{payload}.{flipped}")


def test_token_signed_with_another_key_is_refused(logged_in):
    token = signed(logged_in, claims_of(logged_in.access), key="another key entirely, at least 32 bytes long")
    assert_refused(logged_in, token)


@pytest.mark.parametrize(
    "change, code",
    [
        ({"exp": None}, "token_not_valid"),
        ({"exp": int(time.time()) - 1}, "token_not_valid"),
        ({"nbf": int(time.time()) + 3600}, "token_not_valid"),
        ({"iat": int(time.time()) + 3600}, "token_not_valid"),
        ({"token_type": "refresh"}, "token_not_valid"),
        ({"token_type": None}, "token_not_valid"),
        ({"sid": None}, "token_not_valid"),
        ({"user_id": None}, "token_not_valid"),
        ({"sid": "not-a-uuid"}, "session_ended"),
        ({"sid": "00000000-0000-0000-0000-000000000000"}, "session_ended"),
        ({"user_id": "999"}, "session_ended"),
        ({"user_id": ["1"]}, "session_ended"),
        ({"user_id": "abc"}, "session_ended"),
        ({"user_id": True}, "session_ended"),
        ({"user_id": 1.5}, "session_ended"),
    ],
    ids=lambda value: ",".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else value,
)
def test_bad_claims_are_refused(logged_in, change, code):
    claims = claims_of(logged_in.access)
    for key, value in change.items():
        if value is None:
            claims.pop(key, None)
        else:
            claims[key] = value
    assert_refused(logged_in, signed(logged_in, claims), code)


def test_another_users_id_with_this_session_is_refused(logged_in, make_user):
    bob = make_user("bob")
    assert_refused(logged_in, signed(logged_in, claims_of(logged_in.access) | {"user_id": str(bob.id)}), "session_ended")


@pytest.mark.parametrize(
    "headers, status",
    [
        ({"kid": "../../../../dev/null"}, 401),
        ({"kid": "' OR 1=1 --"}, 401),
        ({"jku": "http://127.0.0.1:9/keys.json"}, 200),
        ({"x5u": "http://127.0.0.1:9/cert.pem"}, 200),
        ({"crit": ["exp-v2"], "exp-v2": 1}, 401),
    ],
    ids=["kid-path", "kid-sql", "jku-ignored", "x5u-ignored", "unknown-crit"],
)
def test_header_injection_never_fetches_anything(logged_in, headers, status, monkeypatch):
    """An unknown kid or critical header is refused; jku and x5u are never followed,
    so a token otherwise genuine stays valid and no connection is ever opened."""

    def no_network(*args, **kwargs):
        raise AssertionError("the server tried to open a connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    logged_in.access = signed(logged_in, claims_of(logged_in.access), headers=headers)

    assert logged_in.get("/api/auth/me/").status_code == status


def test_hs_rs_key_confusion_is_refused(logged_in):
    # A token "signed" with HS256 using a public key as the HMAC secret.
    fake_public_key = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n"
    header = b64({"alg": "HS256", "typ": "JWT", "kid": kid_of(logged_in.access)})
    body = f"{header}.{b64(claims_of(logged_in.access))}"
    mac = hmac.new(fake_public_key.encode(), body.encode(), hashlib.sha256).digest()
    assert_refused(logged_in, f"{body}.{b64(mac)}")


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "a.b",
        "a.b.c.d",
        "....",
        "!!!.@@@.###",
        f"{b64(b'not json')}.{b64(b'not json')}.sig",
        f"{b64({'alg': 'HS256'})}.{b64(b'[1,2,3]')}.sig",
        f"{b64({'alg': 'HS256'})}.{b64(b'42')}.sig",
        "\u00e9\u00e9\u00e9.\u00e9.\u00e9",
    ],
)
def test_malformed_tokens_are_refused(logged_in, token):
    assert_refused(logged_in, token)


def test_a_megabyte_token_is_refused_quickly(logged_in):
    started = time.perf_counter()
    assert_refused(logged_in, "a" * 1_000_000 + "." + "b" * 10 + ".c")
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer  ", "Token abc", "Basic YWxpY2U6cGFzcw==", "Bearer a b", "bearer"],
)
def test_malformed_authorization_headers_are_401(client, db, header):
    response = client.get("/api/auth/me/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_token_in_the_query_string_is_not_accepted(logged_in):
    response = logged_in.client.get(f"/api/auth/me/?access_token={logged_in.access}&token={logged_in.access}")
    assert response.status_code == 401


def test_token_in_a_cookie_is_not_accepted(logged_in):
    logged_in.client.cookies["access_token"] = logged_in.access
    logged_in.client.cookies["Authorization"] = f"Bearer {logged_in.access}"
    assert logged_in.client.get("/api/auth/me/").status_code == 401


def test_the_refresh_token_is_not_an_access_token(logged_in):
    assert_refused(logged_in, logged_in.refresh_token)
