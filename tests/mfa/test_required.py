"""``MFA_REQUIRED``: an account in scope without a second factor signs in, but its session can only enrol."""
import pytest
from rest_framework.test import APIClient

from accounts.mfa import policy
from accounts.sessions import introspection
from tests.conftest import LoggedIn, login
from tests.mfa.conftest import enrol
from tests.personal_tokens.conftest import Script, create

pytestmark = pytest.mark.django_db

HELD = "mfa_enrollment_required"

# One route of each kind a session held to enrolment must not reach.
CLOSED = [
    ("get", "/api/auth/sessions/", None),
    ("get", "/api/auth/activity/", None),
    ("post", "/api/auth/password/", {"current_password": "x", "new_password": "y"}),
    ("get", "/api/auth/tokens/", None),
    ("post", "/api/auth/tokens/", {"name": "ci", "expires_in_days": 30}),
    ("get", "/api/auth/users/", None),
    ("post", "/api/auth/email/change/", {"email": "new@example.com", "password": "x"}),
    ("delete", "/api/auth/passkeys/00000000-0000-0000-0000-000000000000/", None),
    ("delete", "/api/auth/me/", None),
    ("post", "/api/auth/logout-others/", None),
    ("get", "/api/auth/export/", None),
    ("get", "/api/auth/trusted-devices/", None),
]


def test_a_held_session_reads_me_but_cannot_change_it(held):
    # Repro (review): PATCH /api/auth/me/ inherited the read-only view's exemption: a session held to
    # enrolment renamed its account (200); DELETE went the same way.
    changed = held.client.patch(
        "/api/auth/me/", {"username": "renamed", "first_name": "X"}, format="json", **held.bearer
    )
    assert changed.status_code == 403 and changed.json()["code"] == HELD
    assert held.get("/api/auth/me/").json()["username"] == "boss"


@pytest.fixture
def staff_required(settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "MFA_REQUIRED": "staff"}


@pytest.fixture
def staff(make_user):
    return make_user("boss", is_staff=True)


@pytest.fixture
def held(staff_required, staff):
    device = APIClient()
    response = login(device, "boss")
    assert response.status_code == 200, response.content
    return LoggedIn(device, response)


def call(device, method, path, body):
    return getattr(device, method)(path, body) if body is not None else getattr(device, method)(path)


@pytest.mark.parametrize("method,path,body", CLOSED, ids=[f"{m} {p}" for m, p, _ in CLOSED])
def test_a_staff_session_without_a_factor_is_refused_everywhere_else(held, method, path, body):
    """Repro: with MFA_REQUIRED=staff, a staff account with no factor used every route as if nothing was asked."""
    response = call(held, method, path, body)
    assert response.status_code == 403, response.content
    assert response.json()["code"] == HELD


def test_the_login_says_the_account_must_enrol_and_me_answers(held):
    assert held.response.json()["user"]["mfa_enrollment_required"] is True
    me = held.get("/api/auth/me/")
    assert me.status_code == 200
    assert me.json()["mfa_enrollment_required"] is True


def test_the_enrolment_routes_refresh_reauthenticate_and_logout_stay_open(held):
    assert held.get("/api/auth/mfa/").status_code == 200
    assert held.get("/api/auth/passkeys/").status_code == 200
    assert held.post("/api/auth/reauthenticate/", {"password": "correct horse battery staple"}).status_code == 200
    assert held.refresh().status_code == 200
    assert held.post("/api/auth/mfa/totp/").status_code == 200
    assert held.client.post("/api/auth/logout/").status_code == 204


def test_logout_everywhere_stays_open(held):
    assert held.post("/api/auth/logout-all/").status_code == 204


def test_enrolling_lifts_it_on_the_next_request_without_a_new_login(clock, held):
    """The check reads the account's factor flag on every request: no claim of the token to wait out."""
    assert held.get("/api/auth/sessions/").status_code == 403
    enrol(held)
    assert held.get("/api/auth/sessions/").status_code == 200
    assert held.get("/api/auth/me/").json()["mfa_enrollment_required"] is False


def test_staff_scope_leaves_other_accounts_alone(staff_required, logged_in):
    assert logged_in.get("/api/auth/sessions/").status_code == 200
    assert logged_in.response.json()["user"]["mfa_enrollment_required"] is False


def test_all_scope_holds_every_account(settings, logged_in):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "MFA_REQUIRED": "all"}
    response = logged_in.get("/api/auth/sessions/")
    assert response.status_code == 403
    assert response.json()["code"] == HELD


def test_none_is_the_default(settings, staff):
    assert settings.GATEHOUSE["MFA_REQUIRED"] == "none"
    assert policy.enrolment_required(staff) is False


def test_a_personal_token_of_an_account_that_must_enrol_is_refused_even_on_me(settings, logged_in):
    """Decision: a script cannot enrol, so its token works again only once the account has a factor."""
    token = create(logged_in).json()["token"]
    script = Script(token)
    assert script.get("/api/auth/me/").status_code == 200
    settings.GATEHOUSE = {**settings.GATEHOUSE, "MFA_REQUIRED": "all"}
    response = script.get("/api/auth/me/")
    assert response.status_code == 403
    assert response.json()["code"] == HELD


def test_introspection_calls_such_a_session_inactive(held):
    """Other services must not take a session that may only enrol."""
    assert introspection.introspect(token=held.access) == {"active": False}
