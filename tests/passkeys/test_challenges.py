"""The challenge store: one use, one purpose, one binding, a bounded life, swept when expired."""
import time
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from accounts.passkeys import challenges
from accounts.passkeys.models import ChallengePurpose, PasskeyChallenge

pytestmark = pytest.mark.django_db


def test_a_challenge_is_stored_as_a_digest_and_used_once(user):
    value = challenges.issue(purpose=ChallengePurpose.REAUTHENTICATE, user=user, binding="s1")

    row = PasskeyChallenge.objects.get()
    assert len(value) == 32 and value.hex() not in row.digest and row.digest != value
    assert challenges.consume(value, purpose=ChallengePurpose.REAUTHENTICATE, user=user, binding="s1") is not None
    assert challenges.consume(value, purpose=ChallengePurpose.REAUTHENTICATE, user=user, binding="s1") is None


@pytest.mark.parametrize("other", [
    {"purpose": ChallengePurpose.LOGIN, "user": "same", "binding": "s1"},
    {"purpose": ChallengePurpose.REAUTHENTICATE, "user": None, "binding": "s1"},
    {"purpose": ChallengePurpose.REAUTHENTICATE, "user": "same", "binding": "s2"},
])
def test_a_challenge_answers_only_its_purpose_user_and_binding(user, other):
    value = challenges.issue(purpose=ChallengePurpose.REAUTHENTICATE, user=user, binding="s1")

    found = challenges.consume(
        value, purpose=other["purpose"], user=user if other["user"] == "same" else None, binding=other["binding"]
    )

    assert found is None
    assert PasskeyChallenge.objects.count() == 1  # a wrong try does not use someone else's challenge up


@pytest.mark.parametrize("value", [None, b"", b"x" * 31, b"x" * 33, "a string"])
def test_malformed_challenges_find_nothing(db, value):
    assert challenges.consume(value, purpose=ChallengePurpose.LOGIN) is None


def test_a_challenge_expires_and_is_swept(db):
    value = challenges.issue(purpose=ChallengePurpose.LOGIN)
    with time_machine.travel(time.time() + challenges.LIFETIME.total_seconds() + 1, tick=False):
        assert challenges.consume(value, purpose=ChallengePurpose.LOGIN) is None
        output = StringIO()
        call_command("cleanup_sessions", stdout=output)

    assert "Deleted 1 expired passkey challenges." in output.getvalue()
    assert not PasskeyChallenge.objects.exists()
