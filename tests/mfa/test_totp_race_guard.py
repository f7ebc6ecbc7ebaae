"""The authenticator code's single use holds against an outdated read, on every database.

A code is checked against the device's ``last_used_step`` as read, then
recorded by an UPDATE that applies only while no code of that step or a
later one has been accepted. Two requests racing with one code can both read
the step before either writes; only the conditional UPDATE then stops the
second. ``tests/mfa/test_concurrency.py`` races real threads, which on SQLite
are serialised and so never read an outdated step; here the outdated read is
made deterministic: every ``TotpDevice`` loaded during the second attempt
carries the ``last_used_step`` read before the first attempt was recorded.
"""
import pytest
from rest_framework.test import APIClient

from accounts.mfa.models import TotpDevice
from accounts.models import RefreshSession
from tests.mfa.conftest import STEP, enrol, first_step, second_step

pytestmark = pytest.mark.django_db


def loaded_as_before(monkeypatch, *, last_used_step):
    """From now on, every TotpDevice read from the database has this (outdated) ``last_used_step``."""
    from_db = TotpDevice.from_db.__func__

    def outdated(cls, db, field_names, values):
        device = from_db(cls, db, field_names, values)
        if "last_used_step" in field_names:
            device.last_used_step = last_used_step
        return device

    monkeypatch.setattr(TotpDevice, "from_db", classmethod(outdated))


def test_a_code_read_against_an_outdated_step_is_refused_by_the_conditional_update(clock, logged_in, monkeypatch):
    # repro: two logins with one code, the second having read the device before the first was recorded
    # (a race) → the first opens a session, the second is refused 401 and opens none
    enrolled = enrol(logged_in)
    clock.shift(STEP)
    code = enrolled.code()
    before_first = TotpDevice.objects.get(user__username="alice").last_used_step
    sessions = RefreshSession.objects.count()

    first = APIClient()
    accepted = second_step(first, first_step(first), code)
    assert accepted.status_code == 200, accepted.content
    recorded = TotpDevice.objects.get(user__username="alice").last_used_step
    assert recorded > before_first

    second = APIClient()
    mfa_token = first_step(second)
    with monkeypatch.context() as patched:
        loaded_as_before(patched, last_used_step=before_first)
        replayed = second_step(second, mfa_token, code)

    assert replayed.status_code == 401, replayed.content
    assert "access" not in replayed.json()
    assert RefreshSession.objects.count() == sessions + 1
    assert TotpDevice.objects.get(user__username="alice").last_used_step == recorded
