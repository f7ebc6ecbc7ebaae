"""The background webhook sender: a daemon thread in each web process, as the mail's (``accounts.background``).

``WEBHOOK_SENDER_THREAD=0`` turns it off (``manage.py webhook deliver`` then
drains the queue).
"""
from django.core.signals import request_started

from accounts.background import QueueSender
from accounts.webhooks import config, events, outbox

# Through lambdas, so that what the outbox module holds at call time is called.
_sender = QueueSender(
    name="gatehouse-webhook-sender", what="webhook",
    deliver_due=lambda: outbox.deliver_due(), next_due_at=lambda: outbox.next_due_at(),
    enabled=config.sender_thread,
)
_state = _sender.state
run_forever = _sender.run_forever
wake = _sender.wake  # also on ``events.webhook_queued``
stop = _sender.stop

request_started.connect(_sender.start_on_first_request, dispatch_uid="gatehouse-webhook-sender-start")
events.webhook_queued.connect(wake, dispatch_uid="gatehouse-webhook-sender-wake")
