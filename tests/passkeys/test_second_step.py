"""A passkey as the second step after a password: the functions the two-step login calls."""
import pytest

from accounts.models import SecurityEvent, SecurityEventKind
from accounts.passkeys import flows
from tests.passkeys import recording
from tests.passkeys.authenticator import SoftAuthenticator
from tests.passkeys.conftest import CLIENT

pytestmark = pytest.mark.django_db

ATTEMPT = "mfa-attempt-digest-1"


@pytest.fixture
def registered(relying_party, user, session):
    authenticator = SoftAuthenticator(origin=recording.ORIGIN, user_verified=False)
    options = flows.registration_options(user=user, session_id=session.id)
    flows.register(user=user, session_id=session.id, credential=authenticator.register(options), name="", client=CLIENT)
    return authenticator


def test_the_second_step_accepts_presence_alone_and_names_the_passkey(registered, user):
    options = flows.second_step_options(user=user, binding=ATTEMPT)

    assert options["userVerification"] == "preferred" and len(options["allowCredentials"]) == 1
    passkey = flows.verify_second_step(
        user=user, credential=registered.assertion(options), binding=ATTEMPT, client=CLIENT
    )
    assert passkey.user == user and passkey.sign_count == 1
    assert flows.has_passkeys(user)


def test_the_second_step_is_bound_to_its_login_attempt(registered, user):
    # repro: options of one password login answered in another login attempt of the same user
    options = flows.second_step_options(user=user, binding=ATTEMPT)

    with pytest.raises(flows.SecondStepFailed):
        flows.verify_second_step(user=user, credential=registered.assertion(options), binding="another", client=CLIENT)


def test_another_users_passkey_is_not_a_second_step(registered, user, make_user):
    # repro: mallory knows alice's password and answers alice's second step with her own passkey
    mallory = make_user("mallory")
    from accounts.sessions import lifecycle

    session = lifecycle.start_session(user=mallory, client=CLIENT).session
    own = SoftAuthenticator(origin=recording.ORIGIN, seed=b"mallory")
    flows.register(
        user=mallory, session_id=session.id, credential=own.register(
            flows.registration_options(user=mallory, session_id=session.id)
        ), name="", client=CLIENT,
    )
    options = flows.second_step_options(user=user, binding=ATTEMPT)

    with pytest.raises(flows.SecondStepFailed):
        flows.verify_second_step(user=user, credential=own.assertion(options), binding=ATTEMPT, client=CLIENT)


def test_a_login_challenge_is_not_a_second_step(registered, user):
    options = flows.login_options()

    with pytest.raises(flows.SecondStepFailed):
        flows.verify_second_step(user=user, credential=registered.assertion(options), binding="", client=CLIENT)


def test_a_counter_that_went_back_is_recorded_in_the_second_step_too(registered, user):
    flows.verify_second_step(
        user=user, credential=registered.assertion(flows.second_step_options(user=user, binding=ATTEMPT), counter=9),
        binding=ATTEMPT, client=CLIENT,
    )
    options = flows.second_step_options(user=user, binding=ATTEMPT)

    with pytest.raises(flows.SecondStepFailed):
        flows.verify_second_step(user=user, credential=registered.assertion(options, counter=9), binding=ATTEMPT,
                                 client=CLIENT)
    assert SecurityEvent.objects.get(kind=SecurityEventKind.PASSKEY_SIGN_COUNT_REGRESSED).reason == "second_step"


def test_a_passkey_without_user_verification_does_not_sign_in_alone(registered):
    # repro: a found security key (no PIN) used for passwordless sign-in
    options = flows.login_options()

    with pytest.raises(flows.PasskeyLoginFailed):
        flows.verify_sign_in(credential=registered.assertion(options), client=CLIENT)


def test_remove_all_for_an_administrators_reset(registered, user, make_user):
    admin = make_user("admin", is_staff=True)

    assert flows.remove_all(user=user, actor=admin, client=CLIENT) == 1
    assert not flows.has_passkeys(user)
    event = SecurityEvent.objects.get(kind=SecurityEventKind.PASSKEY_REMOVED)
    assert (event.actor, event.reason) == (admin, "all")
    assert flows.remove_all(user=user, actor=admin, client=CLIENT) == 0
