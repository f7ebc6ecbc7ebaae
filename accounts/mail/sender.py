"""The background mail sender: a daemon thread in each web process that delivers the outbox.

How it runs is ``accounts.background``. It waits while mail is not set up
(no ``EMAIL_URL``). ``MAIL_SENDER_THREAD=0`` turns it off when
``manage.py send_mail_outbox --loop`` delivers instead.
"""
from django.core.signals import request_started

from accounts import conf
from accounts.background import QueueSender
from accounts.mail import outbox

# Through lambdas, so that what the outbox module holds at call time is called.
_sender = QueueSender(
    name="gatehouse-mail-sender", what="mail",
    deliver_due=lambda: outbox.deliver_due(), next_due_at=lambda: outbox.next_due_at(),
    enabled=conf.mail_sender_thread, ready=conf.mail_configured,
)
_state = _sender.state
run_forever = _sender.run_forever
wake = _sender.wake  # also on ``outbox.mail_queued``
stop = _sender.stop

request_started.connect(_sender.start_on_first_request, dispatch_uid="gatehouse-mail-sender-start")
outbox.mail_queued.connect(wake, dispatch_uid="gatehouse-mail-sender-wake")
