"""A user's passkeys in the admin: counted in the user list, listed on the user's page, never the public key."""
import pytest

from accounts.passkeys import flows
from accounts.sessions import lifecycle
from tests.admin.test_admin import USERS, browser_for, superuser  # noqa: F401  (fixtures)
from tests.passkeys import recording
from tests.passkeys.authenticator import SoftAuthenticator
from tests.passkeys.conftest import CLIENT, relying_party  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def give_passkeys(user, count):
    session = lifecycle.start_session(user=user, client=CLIENT).session
    for index in range(count):
        authenticator = SoftAuthenticator(origin=recording.ORIGIN, seed=f"{user.username}-{index}".encode())
        options = flows.registration_options(user=user, session_id=session.id)
        flows.register(user=user, session_id=session.id, credential=authenticator.register(options),
                       name=f"Key <{index}>", client=CLIENT)


def test_the_user_list_counts_passkeys(superuser, relying_party, make_user):
    give_passkeys(make_user("alice"), 2)
    make_user("bob")

    response = superuser.get(USERS)

    counts = {user.username: user.passkey_count for user in response.context["cl"].result_list}
    assert counts == {"alice": 2, "bob": 0, "root": 0}


def test_the_user_page_lists_passkeys_without_their_keys(superuser, relying_party, make_user,
                                                       django_assert_max_num_queries):
    alice = make_user("alice")
    give_passkeys(alice, 2)

    # The user page's budget (tests/admin/test_admin.py CHANGE_PAGE_BUDGET, 15), one query for the passkeys and
    # one for the linked identities.
    with django_assert_max_num_queries(17) as queries:
        response = superuser.get(f"{USERS}{alice.pk}/change/")

    html = response.content.decode()
    assert "Key &lt;0&gt;" in html and "Key &lt;1&gt;" in html and "<0>" not in html
    assert "this device only" in html and "internal" in html
    assert not any("public_key" in query["sql"] for query in queries.captured_queries)
    public_key = bytes(alice.passkeys.first().public_key)
    assert public_key.hex() not in html and recording.b64(public_key) not in html


def test_a_user_without_passkeys(superuser, make_user):
    bob = make_user("bob")

    response = superuser.get(f"{USERS}{bob.pk}/change/")

    assert response.status_code == 200 and "Passkeys" in response.content.decode()
