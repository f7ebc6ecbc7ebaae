"""Back-Channel Logout 1.0: when a grant's session ends, its client hears of it, through an outbox.

``sessions_ended`` (``accounts.sessions.lifecycle``) is sent by every way of
ending sessions, inside its transaction. Here, in that same transaction:
the grants made from an ended browser session end too (logout there is
logout in every app it signed in to), and for each ended grant whose client
has a ``backchannel_logout_uri`` a ``BackchannelLogout`` row is queued. The
row commits or rolls back with the session's end, so a logout is never lost
nor sent for a session that lives on.

Delivery reuses the webhooks' machinery: the background sender of
``accounts.background`` (a thread per web process, woken after the commit)
and the webhook retry settings (``WEBHOOK_MAX_ATTEMPTS``, doubling delays,
``WEBHOOK_TIMEOUT_SECONDS``). Rows are claimed with a lease by the helper
every outbox uses (``accounts.outbox.claim_due``), POSTed as
``logout_token=<JWT>`` (form-encoded, OIDC Back-Channel Logout §2.5), and a
2xx answer is delivered; anything else is tried again later, the row dead
after the last attempt. Redirects are not followed.
"""
import logging
import secrets
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

from django.core.signals import request_started
from django.db import transaction
from django.dispatch import Signal, receiver
from django.utils import timezone

from accounts.background import QueueSender
from accounts.models import RefreshSession
from accounts.oidc_provider import tokens
from accounts.oidc_provider.models import BackchannelLogout, ClientGrant, LogoutStatus
from accounts.outbox import claim_due
from accounts.sessions import lifecycle
from accounts.webhooks import config

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
_BATCH = 20
_PENDING = [LogoutStatus.QUEUED, LogoutStatus.SENDING]
logout_queued = Signal()


@receiver(lifecycle.sessions_ended, dispatch_uid="gatehouse-oidc-sessions-ended")
def sessions_ended(sender, *, user_id, session_ids, reason, **kwargs):
    if session_ids:
        children = RefreshSession.objects.active().filter(
            user_id=user_id, client_grant__browser_session_id__in=session_ids
        )
        if children.exists():
            lifecycle.revoke_sessions(sessions=children, reason=reason)
    queue_logouts(user_id=user_id)


def queue_logouts(*, user_id) -> int:
    """Queue a logout token for every ended grant of the user not yet told; returns how many were queued."""
    grants = list(
        ClientGrant.objects.filter(session__user_id=user_id, session__revoked_at__isnull=False, logout_queued=False)
        .select_related("client")
    )
    if not grants:
        return 0
    ClientGrant.objects.filter(pk__in=[grant.pk for grant in grants]).update(logout_queued=True)
    rows = [
        BackchannelLogout(client=grant.client, jti=secrets.token_urlsafe(24), subject=str(user_id),
                          sid=str(grant.session_id))
        for grant in grants if grant.client.backchannel_logout_uri
    ]
    BackchannelLogout.objects.bulk_create(rows)
    if rows:
        transaction.on_commit(lambda: logout_queued.send(sender=BackchannelLogout))
    return len(rows)


def next_due_at():
    return (BackchannelLogout.objects.filter(status__in=_PENDING).order_by("next_attempt_at")
            .values_list("next_attempt_at", flat=True).first())


def deliver_due(*, now=None, limit=_BATCH) -> int:
    """Claim up to ``limit`` due rows and try each once; returns how many were claimed."""
    claimed = _claim(now=now or timezone.now(), limit=limit)
    for row in claimed:
        _deliver(row)
    return len(claimed)


def _claim(*, now, limit):
    due = (BackchannelLogout.objects.filter(status__in=_PENDING, next_attempt_at__lte=now)
           .select_related("client").order_by("next_attempt_at", "pk"))
    return claim_due(due, now=now, limit=limit, sending=LogoutStatus.SENDING, lease=LEASE)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _deliver(row: BackchannelLogout) -> None:
    client = row.client
    try:
        if not client.backchannel_logout_uri:
            raise ValueError("The client no longer has a back-channel logout URI.")
        token = tokens.logout_token(client_id=client.client_id, subject=row.subject, sid=row.sid, jti=row.jti)
        body = urllib.parse.urlencode({"logout_token": token}).encode()
        request = urllib.request.Request(
            client.backchannel_logout_uri, data=body, method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Gatehouse-Logout/1"},
        )
        with _opener.open(request, timeout=config.timeout()) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        error.close()
        _failed(row, f"HTTP {error.code}")
        return
    except Exception as error:  # refused, timed out, no key: try again later
        _failed(row, f"{type(error).__name__}: {error}")
        return
    if 200 <= status < 300:
        BackchannelLogout.objects.filter(pk=row.pk).update(
            status=LogoutStatus.DELIVERED, delivered_at=timezone.now(), last_error=""
        )
    else:
        _failed(row, f"HTTP {status}")


def _failed(row, description) -> None:
    description = description[:1000]
    if row.attempts >= config.max_attempts():
        status, due = LogoutStatus.DEAD, timezone.now()
        logger.error("Back-channel logout %s to %s is dead after %s attempts: %s",
                     row.jti, row.client_id, row.attempts, description)
    else:
        status, due = LogoutStatus.QUEUED, timezone.now() + config.retry_delay(row.attempts)
    BackchannelLogout.objects.filter(pk=row.pk).update(status=status, next_attempt_at=due, last_error=description)


_sender = QueueSender(
    name="gatehouse-backchannel-logout", what="back-channel logout",
    deliver_due=lambda: deliver_due(), next_due_at=lambda: next_due_at(), enabled=config.sender_thread,
)
wake = _sender.wake
stop = _sender.stop
logout_queued.connect(wake, dispatch_uid="gatehouse-oidc-logout-wake")
request_started.connect(_sender.start_on_first_request, dispatch_uid="gatehouse-oidc-logout-start")
