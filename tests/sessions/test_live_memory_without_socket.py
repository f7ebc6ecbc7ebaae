"""The live-session memory is not trusted once its listener's socket is gone, even before it is emptied.

When the listener loses its connection it first drops the socket, then
forgets everything (``LiveSessions._lost``). In between, the entries are
still there: only the missing socket keeps requests off them. The memory is
tested as a unit (no PostgreSQL needed): its "listener socket" is one end of
a socket pair and its "listener" a thread that waits for the test to end.
"""
import socket
import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.sessions import live_sessions


class Connected(live_sessions.LiveSessions):
    def __init__(self):
        super().__init__()
        self.listener_end, self.server_end = socket.socketpair()
        self._socket = self.listener_end.fileno()
        self._proven_at = time.monotonic()  # delivery just proven (the fixture keeps the proof fresh)
        self._thread = threading.Thread(target=self._stopping.wait, daemon=True)
        self._thread.start()


@pytest.fixture
def memory(settings, monkeypatch):
    # What is under test is the socket, not the age of the last proof of delivery: however slow the machine,
    # the proof taken at the start stays fresh for the test.
    monkeypatch.setattr(live_sessions, "PROOF_MAX_AGE_SECONDS", 3600)
    settings.GATEHOUSE = {**settings.GATEHOUSE, "LIVE_SESSION_CACHE_SIZE": 100, "LIVE_SESSION_CACHE_MAX_AGE": 300}
    memory = Connected()
    yield memory
    memory.stop()
    memory.listener_end.close()
    memory.server_end.close()


def alice():
    return get_user_model()(pk=1, username="alice", is_active=True)


def remembered(memory):
    """A session remembered while connected, and checked to be answered from memory."""
    session_id = uuid.uuid4()
    stored = memory.remember(session_id=session_id, user=alice(), expires_at=timezone.now() + timedelta(minutes=5),
                             epoch=memory.epoch())
    assert stored and memory.user(session_id=session_id, user_pk=1, now=timezone.now()) is not None
    return session_id


def test_with_the_socket_gone_and_the_entries_still_there_the_memory_answers_nothing(memory):
    # repro: the listener's socket is None (connection lost) but the memory is not emptied yet, the listener
    # thread alive → user() is None (ask the database), and nothing new is remembered
    session_id = remembered(memory)

    memory._socket = None

    assert len(memory) == 1, "the state under test: entries not yet forgotten"
    assert memory.user(session_id=session_id, user_pk=1, now=timezone.now()) is None
    assert not memory.remember(session_id=uuid.uuid4(), user=alice(),
                               expires_at=timezone.now() + timedelta(minutes=5), epoch=memory.epoch())


def test_while_a_lost_listener_is_being_forgotten_the_memory_answers_nothing(memory, monkeypatch):
    # repro: the listener's connection ends (_lost: socket dropped, then everything forgotten); a request
    # arriving between the two finds the entries but must not use them
    session_id = remembered(memory)
    answers_in_between = []
    forget_everything = memory.forget_everything

    def forget_everything_after_a_request():
        answers_in_between.append(memory.user(session_id=session_id, user_pk=1, now=timezone.now()))
        forget_everything()

    monkeypatch.setattr(memory, "forget_everything", forget_everything_after_a_request)
    memory._lost()

    assert answers_in_between == [None]
    assert len(memory) == 0
