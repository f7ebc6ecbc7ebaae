"""The login's username field also takes the account's email address (issue 22, item 1)."""
import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.limits import backoff
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def hashes(monkeypatch):
    """Counts password hashes: Django's ModelBackend hashes a dummy password for an unknown user."""
    calls = []
    encode = MD5PasswordHasher.encode

    def counting(self, password, salt):
        calls.append(password)
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
    return calls


def test_login_with_the_email_address_in_the_username_field(client, make_user):
    user = make_user("alice", email="Alice@Example.com")

    response = login(client, "alice@example.com", PASSWORD)

    assert response.status_code == 200
    assert response.json()["user"]["id"] == user.id


@pytest.mark.parametrize("typed", ["ALICE@EXAMPLE.COM", " alice@exampｌe.com", "alice@EXAMPLE.com"])
def test_the_address_is_compared_in_its_canonical_form(client, make_user, typed):
    make_user("alice", email="alice@example.com")

    assert login(client, typed, PASSWORD).status_code == 200


def test_a_username_holding_an_at_sign_wins_over_another_accounts_address(client, make_user):
    owner = make_user("bob@example.com", email="bob.real@example.com")
    make_user("other", email="bob@example.com")

    response = login(client, "bob@example.com", PASSWORD)

    assert response.json()["user"]["id"] == owner.id


@pytest.mark.parametrize(
    "typed, password",
    [("alice@example.com", "wrong password"), ("nobody@example.com", PASSWORD), ("inactive@example.com", PASSWORD)],
    ids=["wrong-password", "unknown-address", "inactive-account"],
)
def test_failures_by_address_get_the_same_answer_and_one_password_hash(client, make_user, hashes, typed, password):
    make_user("alice")
    make_user("inactive", is_active=False)
    hashes.clear()

    response = login(client, typed, password)

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid username or password.", "code": "invalid_credentials"}
    assert len(hashes) == 1


def test_failures_by_address_cost_the_same_known_or_not(client, make_user, hashes):
    make_user("alice")
    costs = {}
    for typed in ["alice@example.com", "nobody@example.com"]:
        hashes.clear()
        with CaptureQueriesContext(connection) as queries:
            login(client, typed, "wrong password")
        costs[typed] = (len(hashes), len(queries))
    assert costs["alice@example.com"] == costs["nobody@example.com"]


def test_every_spelling_of_an_address_shares_one_backoff_whether_or_not_an_account_has_it(client, make_user):
    """Repro (review): five wrong passwords as victim@example.com, then victim@example。com answered 429 when an
    account had the address and 401 when none had: the shared count told that the address was taken."""
    make_user("alice")
    answers = {}
    for address in ("alice@example.com", "nobody@example.com"):
        for _ in range(5):
            assert login(client, address, "wrong").status_code == 401
        login(client, address, "wrong")
        answers[address] = login(client, address.replace(".com", "。com").upper(), "wrong").status_code

    assert answers == {"alice@example.com": 429, "nobody@example.com": 429}


def test_guesses_by_address_do_not_tell_whose_address_it_is(client, make_user):
    """Wrong passwords typed as an address back off that address, not the account's name: a 429 on the name would
    say the address is this account's."""
    make_user("alice")
    for _ in range(6):
        login(client, "alice@example.com", "wrong")

    assert login(client, "alice", "wrong").status_code == 401
    assert login(client, "alice@example.com", PASSWORD).status_code == 429
