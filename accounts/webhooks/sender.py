"""The background webhook sender: a daemon thread in each web process, like the mail's (``accounts.mail.sender``).

Started by the first ``wake`` (after a commit that queued deliveries) and
by the first request a process serves (rows left from before a restart);
again in a child after ``fork``. Between rounds it sleeps until the next row
is due (at most ``_POLL_SECONDS``) or until woken. ``WEBHOOK_SENDER_THREAD=0``
turns it off (``manage.py webhook deliver`` then drains the queue).
"""
import logging
import os
import threading

from django.core.signals import request_started
from django.db import close_old_connections, connections
from django.utils import timezone

from accounts.webhooks import config, events, outbox

logger = logging.getLogger(__name__)

_POLL_SECONDS = 30.0
_lock = threading.Lock()
_state = {"pid": None, "thread": None, "event": None, "stop": None}


def run_forever(*, stop=None, wake_event=None, poll=_POLL_SECONDS):
    """Deliver due rows round after round until ``stop`` is set."""
    stop = stop or threading.Event()
    wake_event = wake_event or threading.Event()
    while not stop.is_set():
        wait = poll
        try:
            close_old_connections()
            while outbox.deliver_due() and not stop.is_set():
                pass
            due = outbox.next_due_at()
            if due is not None:
                wait = min(poll, max(0.0, (due - timezone.now()).total_seconds()))
        except Exception:  # the database is away, say: try again later, never die
            logger.exception("The webhook sender failed a round; trying again in %s s.", poll)
        wake_event.wait(timeout=max(wait, 0.05))
        wake_event.clear()
    connections.close_all()


def wake(**signal_arguments):
    """Make this process's sender look at the queue now, starting it if needed."""
    if not config.sender_thread():
        return
    with _lock:
        pid, thread = os.getpid(), _state["thread"]
        if _state["pid"] != pid or thread is None or not thread.is_alive():
            event, stop_event = threading.Event(), threading.Event()
            thread = threading.Thread(
                target=run_forever, kwargs={"wake_event": event, "stop": stop_event},
                name="gatehouse-webhook-sender", daemon=True,
            )
            _state.update(pid=pid, thread=thread, event=event, stop=stop_event)
            thread.start()
        event = _state["event"]
    event.set()


def stop(timeout=20.0):
    """Stop this process's sender and wait for it (tests)."""
    with _lock:
        thread, event, stop_event = _state["thread"], _state["event"], _state["stop"]
        _state.update(pid=None, thread=None, event=None, stop=None)
    if thread is not None and thread.is_alive():
        stop_event.set()
        event.set()
        thread.join(timeout)


def _start_on_first_request(**kwargs):
    if _state["pid"] != os.getpid() and config.sender_thread():
        wake()


request_started.connect(_start_on_first_request, dispatch_uid="gatehouse-webhook-sender-start")
events.webhook_queued.connect(wake, dispatch_uid="gatehouse-webhook-sender-wake")
