"""The server side of both ceremonies, against recorded ones (tests/passkeys/recorded_ceremonies.json).

The recording is a software authenticator's answer to fixed challenges for
RP ID ``localhost`` at ``http://localhost:8000``: a registration (attestation
"none", Ed25519), a genuine assertion, and three that lie (another origin,
another RP ID's hash, a counter that went back).
"""
import pytest

from accounts.models import SecurityEvent, SecurityEventKind
from accounts.passkeys import ceremonies, flows
from accounts.passkeys import relying_party as rp_module
from accounts.passkeys.models import ChallengePurpose, Passkey, PasskeyChallenge
from accounts.sessions import lifecycle
from accounts.signin import passkey as passkey_sign_in
from tests.passkeys import recording
from tests.passkeys.conftest import CLIENT

pytestmark = pytest.mark.django_db

RECORDED = recording.load()


def test_the_recording_is_what_the_software_authenticator_answers():
    # repro: the recorded file drifting from the authenticator that is said to have made it
    assert recording.dumps(recording.record()) == recording.PATH.read_text()


@pytest.fixture
def registered(relying_party, user, session, next_challenge, fixed_user_handle):
    next_challenge(RECORDED["challenges"]["registration"])
    options = flows.registration_options(user=user, session_id=session.id)
    assert options["challenge"] == RECORDED["challenges"]["registration"]
    assert options["user"]["id"] == RECORDED["user_handle"]
    assert options["rp"] == {"id": "localhost", "name": "Gatehouse"}
    assert options["authenticatorSelection"]["residentKey"] == "required"
    return flows.register(
        user=user, session_id=session.id, credential=RECORDED["registration"], name="Laptop", client=CLIENT
    )


def login_challenge(next_challenge, name):
    next_challenge(RECORDED["challenges"][name])
    options = flows.login_options()
    assert options["challenge"] == RECORDED["challenges"][name]
    return options


def refusal(credential, purpose=ChallengePurpose.LOGIN):
    with pytest.raises(ceremonies.CeremonyRefused) as refused:
        ceremonies.verify_assertion(rp=rp_module.current(), credential=credential, purpose=purpose)
    return refused.value


def test_the_recorded_registration_is_accepted(registered, user):
    stored = Passkey.objects.get()
    assert (stored.user, stored.name, stored.credential_id) == (user, "Laptop", RECORDED["registration"]["id"])
    assert stored.sign_count == 0 and stored.transports == "internal" and stored.user_handle == RECORDED["user_handle"]
    assert stored.aaguid == "01234567-89ab-cdef-0123-456789abcdef"
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSKEY_ADDED, user=user).count() == 1


def test_the_recorded_assertion_signs_in_with_amr_hwk_and_mfa(registered, user, next_challenge):
    login_challenge(next_challenge, "assertion")

    issued = passkey_sign_in.log_in(credential=RECORDED["assertion"], client=CLIENT)

    assert issued.session.user == user and issued.session.amr == "hwk mfa"
    passkey = Passkey.objects.get()
    assert passkey.sign_count == 1 and passkey.last_used_at is not None


def test_a_replayed_assertion_is_refused_its_challenge_was_used(registered, next_challenge):
    # repro: the same recorded assertion presented a second time
    login_challenge(next_challenge, "assertion")
    flows.verify_sign_in(credential=RECORDED["assertion"], client=CLIENT)

    assert refusal(RECORDED["assertion"]).reason == "unknown, used or expired challenge"
    with pytest.raises(flows.PasskeyLoginFailed):
        flows.verify_sign_in(credential=RECORDED["assertion"], client=CLIENT)


def test_a_challenge_is_used_up_even_by_an_answer_that_fails(registered, next_challenge):
    # repro: a failing answer leaves its challenge for another try
    login_challenge(next_challenge, "other_origin")

    refusal(RECORDED["other_origin"])

    assert not PasskeyChallenge.objects.filter(purpose=ChallengePurpose.LOGIN).exists()


def test_an_assertion_made_on_another_origin_is_refused(registered, next_challenge):
    # repro: a phishing page at https://gatehouse.example.net relays our challenge (RP ID hash correct)
    login_challenge(next_challenge, "other_origin")

    refused = refusal(RECORDED["other_origin"])

    assert "origin" in refused.reason
    assert Passkey.objects.get().sign_count == 0


def test_an_assertion_for_another_rp_id_is_refused(registered, next_challenge):
    # repro: the authenticator data carries the hash of RP ID example.net, the origin is ours
    login_challenge(next_challenge, "other_rp_id")

    assert "RP ID" in refusal(RECORDED["other_rp_id"]).reason


def test_a_counter_that_went_back_is_refused_and_recorded(registered, user, next_challenge):
    # repro: a genuine signature with counter 1 after counter 1 was seen (a cloned authenticator)
    login_challenge(next_challenge, "assertion")
    flows.verify_sign_in(credential=RECORDED["assertion"], client=CLIENT)
    login_challenge(next_challenge, "counter_back")

    with pytest.raises(flows.PasskeyLoginFailed):
        flows.verify_sign_in(credential=RECORDED["counter_back"], client=CLIENT)

    event = SecurityEvent.objects.get(kind=SecurityEventKind.PASSKEY_SIGN_COUNT_REGRESSED)
    assert (event.user, event.reason, event.ip_address) == (user, "login", CLIENT.ip_address)
    assert Passkey.objects.get().sign_count == 1


def test_an_assertion_without_its_challenge_issued_is_refused(registered):
    # repro: an answer to a challenge the server never issued (the client's word for it is not enough)
    assert refusal(RECORDED["assertion"]).reason == "unknown, used or expired challenge"


def test_a_login_challenge_does_not_answer_a_reauthentication(registered, next_challenge, user):
    # repro: a challenge issued for the login page presented as a re-authentication
    login_challenge(next_challenge, "assertion")

    with pytest.raises(ceremonies.CeremonyRefused, match="challenge"):
        ceremonies.verify_assertion(
            rp=rp_module.current(), credential=RECORDED["assertion"], purpose=ChallengePurpose.REAUTHENTICATE,
            user=user,
        )


@pytest.mark.parametrize("server, complaint", [
    (rp_module.RelyingParty(id="localhost", name="Gatehouse", origins=("https://localhost",)), "origin"),
    (rp_module.RelyingParty(id="example.net", name="Gatehouse", origins=(recording.ORIGIN,)), "RP ID"),
])
def test_the_registration_is_refused_by_a_server_of_another_origin_or_rp_id(
    relying_party, user, session, next_challenge, fixed_user_handle, server, complaint
):
    # repro: the recorded registration (made at http://localhost:8000 for RP ID localhost) checked by a
    # server at https://localhost, then by one whose RP ID is example.net
    next_challenge(RECORDED["challenges"]["registration"])
    flows.registration_options(user=user, session_id=session.id)

    with pytest.raises(ceremonies.CeremonyRefused, match=complaint):
        ceremonies.verify_registration(
            rp=server, credential=RECORDED["registration"], user=user, binding=str(session.id)
        )
    assert not Passkey.objects.exists()


def test_a_registration_challenge_is_bound_to_its_session(relying_party, user, session, next_challenge,
                                                         fixed_user_handle):
    # repro: options asked for by one session of the user, the answer sent by another of their sessions
    next_challenge(RECORDED["challenges"]["registration"])
    flows.registration_options(user=user, session_id=session.id)
    other = lifecycle.start_session(user=user, client=CLIENT).session

    with pytest.raises(flows.PasskeyInvalid):
        flows.register(user=user, session_id=other.id, credential=RECORDED["registration"], name="", client=CLIENT)
    assert not Passkey.objects.exists()
