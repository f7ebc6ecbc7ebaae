"""Racing the second step (real threads): one code, or one mfa_token, wins once."""
import threading

import pytest
from django.db import connections
from rest_framework.test import APIClient

from accounts.models import RefreshSession
from tests.mfa.conftest import STEP, enrol, first_step, second_step

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 8


def race(attempts):
    """Run each (client, mfa_token, code) at the same moment; the status codes, sorted."""
    start = threading.Barrier(len(attempts))
    results = [None] * len(attempts)

    def attempt(slot, client, mfa_token, code):
        start.wait()
        try:
            results[slot] = second_step(client, mfa_token, code).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(slot, *args)) for slot, args in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(results)


def one_win(statuses):
    """Exactly one success; the others refused (401, or 429 once the failures of the losers add up)."""
    return statuses[0] == 200 and all(status in (401, 429) for status in statuses[1:])


@pytest.fixture
def enrolled_for_race(clock, logged_in):
    enrolled = enrol(logged_in)
    clock.shift(STEP)
    return enrolled


def test_one_mfa_token_sent_with_the_right_code_at_once_opens_one_session(enrolled_for_race):
    # repro: a token and its code replayed in parallel (a double click, or a thief racing the owner) log in once
    client = APIClient()
    mfa_token = first_step(client)
    before = RefreshSession.objects.count()

    statuses = race([(client, mfa_token, enrolled_for_race.code())] * PARALLEL)

    assert one_win(statuses), statuses
    assert RefreshSession.objects.count() == before + 1


def test_one_totp_code_raced_through_several_logins_works_once(enrolled_for_race):
    code = enrolled_for_race.code()
    attempts = []
    for _ in range(PARALLEL):
        client = APIClient()
        attempts.append((client, first_step(client), code))

    statuses = race(attempts)
    assert one_win(statuses), statuses


def test_one_recovery_code_raced_through_several_logins_works_once(enrolled_for_race):
    code = enrolled_for_race.recovery_codes[0]
    attempts = []
    for _ in range(PARALLEL):
        client = APIClient()
        attempts.append((client, first_step(client), code))

    statuses = race(attempts)
    assert one_win(statuses), statuses
