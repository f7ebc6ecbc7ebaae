"""A daemon thread in each web process that delivers one queue (the mail outbox, the webhook deliveries).

Started lazily by the first ``wake`` (after a commit that queued rows) and
by the first request a process serves (for rows left over from before a
restart); started again in a child after ``fork``, since threads do not
survive it. Between rounds it sleeps until the next row is due (at most
``poll`` seconds, so rows queued by other processes are picked up too) or
until woken. A round that fails (the database away, say) is logged and
tried again later: the thread never dies of it; one that fails while the
sender is being stopped is not logged (the end of a test run drops the
database under it). ``stop_all`` stops every sender of the process.
"""
import logging
import os
import threading
import weakref

from django.db import close_old_connections, connections
from django.utils import timezone

logger = logging.getLogger(__name__)

POLL_SECONDS = 30.0

_senders = weakref.WeakSet()  # every QueueSender of this process, for stop_all()


class QueueSender:
    """One queue's sender: ``deliver_due()`` sends a batch (true while there may be more), ``next_due_at()``.

    ``enabled()`` says whether the thread runs in web processes (off when a
    command delivers instead); ``ready()`` whether delivering makes sense now
    (mail without ``EMAIL_URL`` waits).
    """

    def __init__(self, *, name, what, deliver_due, next_due_at, enabled, ready=lambda: True):
        self.name, self.what = name, what
        self._deliver_due, self._next_due_at = deliver_due, next_due_at
        self._enabled, self._ready = enabled, ready
        self._lock = threading.Lock()
        self.state = {"pid": None, "thread": None, "event": None, "stop": None}
        _senders.add(self)

    def run_forever(self, *, stop=None, wake_event=None, poll=POLL_SECONDS):
        """Deliver due rows round after round until ``stop`` is set (used by the thread and the commands)."""
        stop = stop or threading.Event()
        wake_event = wake_event or threading.Event()
        while not stop.is_set():
            wait = poll
            try:
                close_old_connections()
                if self._ready():
                    while self._deliver_due() and not stop.is_set():
                        pass
                    due = self._next_due_at()
                    if due is not None:
                        wait = min(poll, max(0.0, (due - timezone.now()).total_seconds()))
            except Exception:  # the database is away, say: try again later, never die
                if stop.is_set():  # being stopped (a test run ending drops the database): not an error
                    break
                logger.exception("The %s sender failed a round; trying again in %s s.", self.what, poll)
            wake_event.wait(timeout=max(wait, 0.05))
            wake_event.clear()
        connections.close_all()

    def wake(self, **signal_arguments):
        """Make this process's sender look at the queue now, starting it if needed (also a signal receiver)."""
        if not self._enabled():
            return
        with self._lock:
            pid, thread = os.getpid(), self.state["thread"]
            if self.state["pid"] != pid or thread is None or not thread.is_alive():
                event, stop_event = threading.Event(), threading.Event()
                thread = threading.Thread(
                    target=self.run_forever, kwargs={"wake_event": event, "stop": stop_event},
                    name=self.name, daemon=True,
                )
                self.state.update(pid=pid, thread=thread, event=event, stop=stop_event)
                thread.start()
            event = self.state["event"]
        event.set()

    def stop(self, timeout=20.0):
        """Stop this process's sender and wait for it (tests; a daemon thread otherwise ends with the process)."""
        with self._lock:
            thread, event, stop_event = self.state["thread"], self.state["event"], self.state["stop"]
            self.state.update(pid=None, thread=None, event=None, stop=None)
        if thread is not None and thread.is_alive():
            stop_event.set()
            event.set()
            thread.join(timeout)

    def start_on_first_request(self, **signal_arguments):
        if self.state["pid"] != os.getpid() and self._enabled():
            self.wake()


def stop_all(timeout=20.0):
    """Stop every sender running in this process and wait for each (before its database goes: tests)."""
    for sender in list(_senders):
        sender.stop(timeout)
