"""The background sender: a daemon thread in each web process that delivers the outbox.

Started lazily by the first ``wake`` (after a commit that queued mail) and by
the first request a process serves (for rows left over from before a
restart); started again in a child after ``fork``, since threads do not
survive it. Between rounds it sleeps until the next row is due (at most
``_POLL_SECONDS``, so rows queued by other processes are picked up too) or
until woken. ``MAIL_SENDER_THREAD=0`` turns it off when
``manage.py send_mail_outbox --loop`` delivers instead.
"""
import logging
import os
import threading

from django.core.signals import request_started
from django.db import close_old_connections, connections
from django.utils import timezone

from accounts import conf
from accounts.mail import outbox

logger = logging.getLogger(__name__)

_POLL_SECONDS = 30.0
_lock = threading.Lock()
_state = {"pid": None, "thread": None, "event": None, "stop": None}


def run_forever(*, stop: threading.Event | None = None, wake_event: threading.Event | None = None, poll=_POLL_SECONDS):
    """Deliver due mail round after round until ``stop`` is set (used by the thread and the command)."""
    stop = stop or threading.Event()
    wake_event = wake_event or threading.Event()
    while not stop.is_set():
        wait = poll
        try:
            close_old_connections()
            if not conf.mail_configured():
                wake_event.wait(timeout=poll)
                wake_event.clear()
                continue
            while outbox.deliver_due():
                pass
            due = outbox.next_due_at()
            if due is not None:
                wait = min(poll, max(0.0, (due - timezone.now()).total_seconds()))
        except Exception:  # the database is away, say: try again later, never die
            logger.exception("The mail sender failed a round; trying again in %s s.", poll)
        wake_event.wait(timeout=max(wait, 0.05))
        wake_event.clear()
    connections.close_all()


def wake(**signal_arguments):
    """Make this process's sender look at the outbox now, starting it if needed (also on ``outbox.mail_queued``)."""
    if not conf.mail_sender_thread():
        return
    event = _ensure_started()
    event.set()


def _ensure_started() -> threading.Event:
    with _lock:
        pid = os.getpid()
        thread = _state["thread"]
        if _state["pid"] != pid or thread is None or not thread.is_alive():
            event, stop_event = threading.Event(), threading.Event()
            thread = threading.Thread(
                target=run_forever, kwargs={"wake_event": event, "stop": stop_event},
                name="gatehouse-mail-sender", daemon=True,
            )
            _state.update(pid=pid, thread=thread, event=event, stop=stop_event)
            thread.start()
        return _state["event"]


def stop(timeout=20.0):
    """Stop this process's sender and wait for it (tests; a daemon thread otherwise ends with the process)."""
    with _lock:
        thread, event, stop_event = _state["thread"], _state["event"], _state["stop"]
        _state.update(pid=None, thread=None, event=None, stop=None)
    if thread is not None and thread.is_alive():
        stop_event.set()
        event.set()
        thread.join(timeout)


def _start_on_first_request(**kwargs):
    if conf.mail_sender_thread() and _state["pid"] != os.getpid():
        wake()


request_started.connect(_start_on_first_request, dispatch_uid="gatehouse-mail-sender-start")
outbox.mail_queued.connect(wake, dispatch_uid="gatehouse-mail-sender-wake")
