"""The passkey routes over HTTP: the user's own passkeys, passwordless sign-in, re-authentication."""
import time

import jwt
import pytest
import time_machine
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from accounts import conf
from accounts.mail.models import OutboxMessage
from accounts.models import SecurityEvent, SecurityEventKind
from accounts.passkeys import flows
from accounts.passkeys.models import Passkey, PasskeyChallenge
from tests.conftest import LoggedIn, login
from tests.passkeys import recording
from tests.passkeys.authenticator import SoftAuthenticator

pytestmark = pytest.mark.django_db

PASSKEYS = "/api/auth/passkeys/"
OPTIONS = "/api/auth/passkeys/options/"
LOGIN_OPTIONS = "/api/auth/login/passkey/options/"
LOGIN = "/api/auth/login/passkey/"
REAUTH_OPTIONS = "/api/auth/reauthenticate/passkey/options/"
REAUTH = "/api/auth/reauthenticate/"


def claims(access):
    return jwt.decode(access, options={"verify_signature": False})


@pytest.fixture(autouse=True)
def site(relying_party):
    return relying_party


def register(device, authenticator, name="Laptop"):
    options = device.post(OPTIONS)
    assert options.status_code == 200, options.content
    return device.post(PASSKEYS, {"credential": authenticator.register(options.json()), "name": name})


@pytest.fixture
def authenticator():
    return SoftAuthenticator(origin=recording.ORIGIN)


def confirm_with_passkey(device, authenticator):
    """Re-authenticate ``device``'s session with its passkey (amr hwk): the level a change of factors needs."""
    options = device.post(REAUTH_OPTIONS)
    assert options.status_code == 200, options.content
    response = device.post(REAUTH, {"credential": authenticator.assertion(options.json())})
    assert response.status_code == 200, response.content
    device.access = response.json()["access"]


@pytest.fixture
def with_passkey(logged_in, authenticator):
    """A registered passkey; the session then confirmed with it, as changing factors now needs."""
    response = register(logged_in, authenticator)
    assert response.status_code == 201, response.content
    confirm_with_passkey(logged_in, authenticator)
    return response.json()


def passkey_login(authenticator, client=None, **lie):
    client = client or APIClient()
    options = client.post(LOGIN_OPTIONS, format="json")
    assert options.status_code == 200, options.content
    credential = authenticator.assertion(options.json(), **lie)
    return client, client.post(LOGIN, {"credential": credential}, format="json"), credential


# ---- the user's passkeys --------------------------------------------------------


def test_register_then_list(logged_in, authenticator, user):
    response = register(logged_in, authenticator, name="  Work\x1b\tlaptop  ")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "name", "created_at", "last_used_at", "transports", "backed_up"}
    assert body["name"] == "Work laptop" and body["transports"] == ["internal"] and body["last_used_at"] is None
    listed = logged_in.get(PASSKEYS).json()
    assert [entry["id"] for entry in listed] == [body["id"]]
    assert "public_key" not in listed[0] and "credential_id" not in listed[0]
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSKEY_ADDED, user=user).count() == 1
    mail = OutboxMessage.objects.get()
    assert mail.to == "alice@example.com" and "passkey" in mail.subject and "Work laptop" in mail.body_text


def test_the_registration_options_ask_for_a_discoverable_credential_and_exclude_the_users_own(with_passkey, logged_in):
    options = logged_in.post(OPTIONS).json()

    assert options["rp"] == {"id": "localhost", "name": "Gatehouse"}
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["attestation"] == "none"
    assert [entry["id"] for entry in options["excludeCredentials"]] == [Passkey.objects.get().credential_id]
    # One handle per user: an authenticator keeps one passkey per account.
    assert options["user"]["id"] == Passkey.objects.get().user_handle
    assert options["user"]["name"] == "alice"


def test_a_name_is_given_when_none_is(logged_in, authenticator):
    assert register(logged_in, authenticator, name="").json()["name"] == "Passkey 1"


def test_registering_needs_a_recent_authentication(logged_in, authenticator):
    # repro: a 6-minute-old login (a token stolen from an idle tab) adds the thief's passkey
    fresh_options = logged_in.post(OPTIONS).json()
    with time_machine.travel(time.time() + 301, tick=False):
        logged_in.refresh()
        options = logged_in.post(OPTIONS)
        verification = logged_in.post(PASSKEYS, {"credential": authenticator.register(fresh_options)})

    assert options.status_code == verification.status_code == 403
    assert options.json()["code"] == verification.json()["code"] == "reauthentication_required"
    assert not Passkey.objects.exists()


def test_a_registration_answer_is_accepted_once(logged_in, authenticator):
    # repro: the same attestation posted twice (a double click, or a replay)
    credential = authenticator.register(logged_in.post(OPTIONS).json())

    assert logged_in.post(PASSKEYS, {"credential": credential}).status_code == 201
    Passkey.objects.all().delete()
    get_user_model().objects.update(mfa_enabled=False)  # as after removing it: a password is enough again
    again = logged_in.post(PASSKEYS, {"credential": credential})

    assert again.status_code == 400 and again.json()["code"] == "passkey_invalid"
    assert not Passkey.objects.exists()


def test_another_users_credential_id_cannot_be_registered(logged_in, log_in, make_user):
    # repro: bob's credential id, with the attacker's own key, registered to another account
    make_user("bob")
    bob = log_in("bob")
    assert register(bob, SoftAuthenticator(origin=recording.ORIGIN, seed=b"bob")).status_code == 201
    forged = SoftAuthenticator(origin=recording.ORIGIN, seed=b"attacker")
    forged.credential_id = SoftAuthenticator(seed=b"bob").credential_id

    response = register(logged_in, forged)

    assert response.status_code == 400 and response.json()["code"] == "passkey_invalid"
    assert list(Passkey.objects.values_list("user__username", flat=True)) == ["bob"]


def test_the_limit_per_user(logged_in, authenticator, monkeypatch):
    monkeypatch.setattr(flows, "MAX_PER_USER", 1)
    assert register(logged_in, authenticator).status_code == 201
    confirm_with_passkey(logged_in, authenticator)

    response = logged_in.post(OPTIONS)

    assert response.status_code == 400 and response.json()["code"] == "passkey_limit"


def test_rename_and_remove_own_passkeys(with_passkey, logged_in, user):
    url = f"{PASSKEYS}{with_passkey['id']}/"

    renamed = logged_in.client.patch(url, {"name": "Phone"}, format="json", **logged_in.bearer)
    assert renamed.status_code == 200 and renamed.json()["name"] == "Phone"
    assert logged_in.client.patch(url, {"name": "  "}, format="json", **logged_in.bearer).status_code == 400

    assert logged_in.delete(url).status_code == 204
    assert logged_in.get(PASSKEYS).json() == []
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSKEY_REMOVED, user=user).count() == 1
    assert OutboxMessage.objects.filter(subject__contains="removed").count() == 1
    assert logged_in.delete(url).status_code == 404


def test_another_users_passkeys_are_not_seen_renamed_or_removed(with_passkey, log_in, make_user):
    # repro: bob sends alice's passkey id to the rename and delete routes
    make_user("bob")
    bob = log_in("bob")
    url = f"{PASSKEYS}{with_passkey['id']}/"

    assert bob.get(PASSKEYS).json() == []
    renamed = bob.client.patch(url, {"name": "mine now"}, format="json", **bob.bearer)
    removed = bob.delete(url)

    assert renamed.status_code == removed.status_code == 404
    assert renamed.json()["code"] == "not_found"
    assert Passkey.objects.get().name == "Laptop"


def test_rename_and_remove_need_a_recent_authentication(with_passkey, logged_in):
    url = f"{PASSKEYS}{with_passkey['id']}/"
    with time_machine.travel(time.time() + 301, tick=False):
        logged_in.refresh()
        renamed = logged_in.client.patch(url, {"name": "Phone"}, format="json", **logged_in.bearer)
        removed = logged_in.delete(url)

    assert renamed.status_code == removed.status_code == 403
    assert Passkey.objects.get().name == "Laptop"


def test_passkeys_need_a_valid_access_token(client):
    assert client.get(PASSKEYS).status_code == 401
    assert client.post(OPTIONS).status_code == 401


def test_without_a_domain_to_be_the_rp_id_the_ceremonies_answer_503_and_the_list_still_works(logged_in, settings):
    settings.SITE_URL = None

    response = logged_in.post(OPTIONS)

    assert response.status_code == 503 and response.json()["code"] == "passkeys_unavailable"
    assert APIClient().post(LOGIN_OPTIONS).status_code == 503
    assert logged_in.get(PASSKEYS).status_code == 200


# ---- passwordless sign-in -------------------------------------------------------


def test_passwordless_sign_in_answers_like_a_login_with_amr_hwk_mfa(with_passkey, authenticator, user):
    client, response, _ = passkey_login(authenticator)

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"access", "token_type", "expires_in", "user"}
    assert body["user"]["username"] == "alice"
    token = claims(body["access"])
    assert token["amr"] == ["hwk", "mfa"] and abs(token["auth_time"] - time.time()) < 5
    cookie = response.cookies[conf.cookie_name()]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/api/auth/" and cookie["max-age"]
    assert response["Cache-Control"] == "no-store"
    # The new session works like any other.
    client.cookies[conf.cookie_name()] = cookie.value
    assert client.post("/api/auth/refresh/").status_code == 200
    assert Passkey.objects.get().last_used_at is not None


def test_remember_false_gives_a_browser_session_cookie(with_passkey, authenticator):
    client = APIClient()
    options = client.post(LOGIN_OPTIONS).json()
    response = client.post(LOGIN, {"credential": authenticator.assertion(options), "remember": False}, format="json")

    assert response.status_code == 200
    assert response.cookies[conf.cookie_name()]["max-age"] == ""


def test_the_login_options_name_no_credential_and_require_user_verification(db, relying_party):
    options = APIClient().post(LOGIN_OPTIONS).json()

    assert options["rpId"] == "localhost" and options["allowCredentials"] == []
    assert options["userVerification"] == "required"


def test_a_replayed_assertion_is_refused(with_passkey, authenticator):
    # repro: the assertion that signed alice in, sent again (captured, or a double submit)
    _, first, credential = passkey_login(authenticator)
    replay = APIClient().post(LOGIN, {"credential": credential}, format="json")

    assert first.status_code == 200
    assert replay.status_code == 401 and replay.json()["code"] == "passkey_invalid"
    assert "WWW-Authenticate" in replay


def test_a_challenge_is_single_use_even_for_a_fresh_signature_over_it(with_passkey, authenticator):
    # repro: the authenticator signs the same challenge twice (counter moving on); the second is still refused
    client = APIClient()
    options = client.post(LOGIN_OPTIONS).json()
    first = client.post(LOGIN, {"credential": authenticator.assertion(options)}, format="json")
    second = client.post(LOGIN, {"credential": authenticator.assertion(options)}, format="json")

    assert (first.status_code, second.status_code) == (200, 401)


def test_an_expired_challenge_is_refused(with_passkey, authenticator):
    client = APIClient()
    options = client.post(LOGIN_OPTIONS).json()
    with time_machine.travel(time.time() + 301, tick=False):
        response = client.post(LOGIN, {"credential": authenticator.assertion(options)}, format="json")
        client.post(LOGIN_OPTIONS)

    assert response.status_code == 401
    assert PasskeyChallenge.objects.count() == 1  # the expired one went as the new one came


@pytest.mark.parametrize("lie", [
    {"origin": "https://gatehouse.example.net"},
    {"rp_id": "example.net"},
    {"user_verified": False},
    {"user_handle": None},
    {"user_handle": recording.USER_HANDLE},
    {"cross_origin": True},
])
def test_lying_assertions_are_refused_with_one_answer(with_passkey, authenticator, lie):
    # repro: another origin; another RP ID's hash; no user verification (a found security key); no user handle;
    # a user handle that is not the passkey's; a ceremony run inside another site's frame
    _, response, _ = passkey_login(authenticator, **lie)

    assert response.status_code == 401
    assert response.json() == {"detail": "This passkey could not sign you in.", "code": "passkey_invalid"}
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, reason="passkey").count() == 1


def test_what_an_assertion_says_cannot_forge_a_log_line(with_passkey, authenticator, caplog):
    # repro: an origin with a line break ("...\n... INFO accounts Passkey sign-in succeeded") written to the log as is
    caplog.set_level("INFO", logger="accounts")
    _, response, _ = passkey_login(authenticator, origin="https://x.example\n2030-01-01 INFO accounts forged line")

    assert response.status_code == 401
    refusals = [record.getMessage() for record in caplog.records if "refused" in record.getMessage()]
    assert refusals and all("\n" not in message for message in refusals)


def test_a_counter_that_goes_back_is_refused_and_recorded(with_passkey, authenticator, user):
    # repro: a cloned authenticator: its counter 3 after the original's 5
    _, first, _ = passkey_login(authenticator, counter=5)
    _, cloned, _ = passkey_login(authenticator, counter=3)

    assert first.status_code == 200 and cloned.status_code == 401
    event = SecurityEvent.objects.get(kind=SecurityEventKind.PASSKEY_SIGN_COUNT_REGRESSED)
    assert event.user == user and event.reason == "login"
    assert Passkey.objects.get().sign_count == 5


def test_a_removed_passkey_no_longer_signs_in(with_passkey, authenticator, logged_in):
    logged_in.delete(f"{PASSKEYS}{with_passkey['id']}/")

    _, response, _ = passkey_login(authenticator)

    assert response.status_code == 401


def test_an_inactive_user_cannot_sign_in_with_a_passkey(with_passkey, authenticator, user):
    user.is_active = False
    user.save()

    _, response, _ = passkey_login(authenticator)

    assert response.status_code == 401 and response.json()["code"] == "passkey_invalid"


def test_a_cross_site_passkey_login_is_refused(with_passkey, authenticator):
    client = APIClient()
    options = client.post(LOGIN_OPTIONS, HTTP_ORIGIN="https://evil.example").status_code
    response = client.post(
        LOGIN, {"credential": authenticator.assertion({"challenge": "AAAA", "rpId": "localhost"})}, format="json",
        HTTP_ORIGIN="https://evil.example",
    )

    assert options == response.status_code == 403
    assert response.json()["code"] == "origin_not_allowed"


def test_passkey_sign_in_counts_in_the_login_rate_limit(with_passkey, authenticator, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"login_ip": "3/min"})
    client = APIClient(REMOTE_ADDR="203.0.113.50")
    statuses = [client.post(LOGIN_OPTIONS).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert login(client).status_code == 429


# ---- re-authentication ----------------------------------------------------------


def test_reauthenticating_with_a_passkey_renews_auth_time_with_amr_hwk(with_passkey, logged_in, authenticator):
    before = SecurityEvent.objects.filter(kind=SecurityEventKind.REAUTHENTICATED, reason="passkey").count()
    with time_machine.travel(time.time() + 600, tick=False):
        logged_in.refresh()
        options = logged_in.post(REAUTH_OPTIONS)
        assert options.status_code == 200
        assert [entry["id"] for entry in options.json()["allowCredentials"]] == [Passkey.objects.get().credential_id]
        response = logged_in.post(REAUTH, {"credential": authenticator.assertion(options.json())})

        assert response.status_code == 200, response.content
        assert set(response.json()) == {"access", "token_type", "expires_in"}
        logged_in.access = response.json()["access"]
        token = claims(logged_in.access)
        assert token["amr"] == ["hwk", "mfa"] and abs(token["auth_time"] - time.time()) < 2
        # Now recent: a route that needs it answers.
        assert logged_in.post(OPTIONS).status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.REAUTHENTICATED, reason="passkey").count() == before + 1


def test_a_reauthentication_challenge_is_bound_to_the_session(with_passkey, logged_in, authenticator):
    # repro: options asked for by one session, the answer sent by another session of the same user
    _, response, _ = passkey_login(authenticator)  # a password login now asks for the passkey too
    assert response.status_code == 200, response.content
    other = LoggedIn(APIClient(), response)
    options = logged_in.post(REAUTH_OPTIONS).json()

    response = other.post(REAUTH, {"credential": authenticator.assertion(options)})

    assert response.status_code == 400 and response.json()["code"] == "passkey_invalid"


def test_another_users_passkey_does_not_reauthenticate(with_passkey, logged_in, log_in, make_user):
    # repro: bob's passkey answers alice's re-authentication options
    make_user("bob")
    bob = log_in("bob")
    bobs_key = SoftAuthenticator(origin=recording.ORIGIN, seed=b"bob")
    assert register(bob, bobs_key).status_code == 201
    options = logged_in.post(REAUTH_OPTIONS).json()

    response = logged_in.post(REAUTH, {"credential": bobs_key.assertion(options)})

    assert response.status_code == 400 and response.json()["code"] == "passkey_invalid"


def test_a_login_challenge_does_not_reauthenticate(with_passkey, logged_in, authenticator):
    options = APIClient().post(LOGIN_OPTIONS).json()

    response = logged_in.post(REAUTH, {"credential": authenticator.assertion(options)})

    assert response.status_code == 400


def test_a_registration_challenge_does_not_reauthenticate(with_passkey, logged_in, authenticator):
    # repro: the challenge of registration options (same user, same session) signed as a re-authentication
    options = logged_in.post(OPTIONS).json()

    response = logged_in.post(REAUTH, {"credential": authenticator.assertion({"challenge": options["challenge"]})})

    assert response.status_code == 400 and response.json()["code"] == "passkey_invalid"


def test_reauthentication_options_without_a_passkey(logged_in):
    response = logged_in.post(REAUTH_OPTIONS)

    assert response.status_code == 400 and response.json()["code"] == "no_passkey"


@pytest.mark.parametrize("body", [{"credential": None}, {"credential": "x"}, {"credential": []}, {"credential": {}}])
def test_malformed_credentials_are_a_400(with_passkey, logged_in, body):
    assert logged_in.post(REAUTH, body).status_code == 400
    assert logged_in.post(PASSKEYS, body).status_code == 400
    assert APIClient().post(LOGIN, body, format="json").status_code in (400, 401)


def test_the_password_reauthentication_still_works(logged_in):
    from tests.conftest import PASSWORD

    assert logged_in.post(REAUTH, {"password": PASSWORD}).status_code == 200
