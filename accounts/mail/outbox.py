"""Queue a mail in the caller's transaction; deliver due mail; resend dead mail.

Delivery is at least once: a row is claimed (``sending``, with a lease)
before the SMTP conversation and marked ``sent`` after it. Two senders never
claim one row at once (``accounts.outbox.claim_due``, shared with the
webhook and back-channel logout outboxes: PostgreSQL ``FOR UPDATE SKIP
LOCKED``, SQLite a conditional UPDATE). A second copy can still arrive: when
the SMTP server has the message but its answer does not reach us within the
timeout (or the sender dies before its own UPDATE), the row is tried again.
Every attempt of one row carries the same ``Message-ID`` (``message_id``),
so a receiving system that deduplicates sees one mail, and a reader sees the
copies as one message.

After a commit that queued mail, ``mail_queued`` is sent: the background
sender (``accounts.mail.sender``, above this module) listens to it and wakes.
"""
import logging
import re
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from accounts import conf, language
from accounts.mail.models import OutboxMessage, OutboxStatus
from accounts.outbox import claim_due

logger = logging.getLogger(__name__)

# How long a claimed row belongs to its sender before another may take it over.
LEASE = timedelta(minutes=5)
_BATCH = 20
_ERROR_MAX = 1000
_TOKEN_IN_LINK = re.compile(r"(token=)[^\s&\"'<>]+")
# A sign-in code (accounts/email_codes): after "Your code is:" (in any offered language) in the text, in the
# element marked data-secret in HTML.
_CODE_LEAD = gettext_noop("Your code is:")  # the words of accounts/mail/login_code.txt
_CODE_IN_HTML = r"<[a-z]+ data-secret=\"code\"[^>]*>"
_sign_in_code_patterns = {}

# Sent after the commit of a transaction that queued (or re-queued) mail.
mail_queued = Signal()


def mask_tokens(text: str) -> str:
    """``text`` with every ``token=…`` in a link, and a sign-in code, replaced by ``[hidden]``.

    What an administrator reads in the outbox, and what a delivered row keeps:
    a link's token or a code would let whoever reads it in as the recipient.
    """
    return _sign_in_code().sub(r"\1[hidden]", _TOKEN_IN_LINK.sub(r"\1[hidden]", text or ""))


def _sign_in_code():
    """The pattern of a sign-in code after its lead-in, as each offered language words it (compiled once each)."""
    codes = tuple(code for code, _name in settings.LANGUAGES)
    if codes not in _sign_in_code_patterns:
        leads = set()
        for code in codes:
            with translation.override(code):
                leads.add(translation.gettext(_CODE_LEAD))
        alternatives = "|".join(re.escape(lead) + r"\s+" for lead in sorted(leads | {_CODE_LEAD}))
        _sign_in_code_patterns[codes] = re.compile(rf"({alternatives}|{_CODE_IN_HTML})\d+")
    return _sign_in_code_patterns[codes]


def render(template: str, context: dict) -> tuple[str, str, str]:
    """(subject, text body, HTML body) from ``accounts/mail/<template>.{subject.txt,txt,html}``.

    In the recipient's saved language (``context["user"]``), else the site's
    default: never the language of whoever's request queued it (an
    administrator's, an attacker's ``Accept-Language``).
    """
    base = f"accounts/mail/{template}"
    with translation.override(language.for_user(context.get("user"))):
        subject = " ".join(render_to_string(f"{base}.subject.txt", context).split())
        return subject, render_to_string(f"{base}.txt", context), render_to_string(f"{base}.html", context)


def enqueue(*, to: str, template: str, context: dict) -> OutboxMessage:
    """Write one mail to the outbox, inside the caller's transaction.

    The row commits or rolls back with the action that caused it. After the
    commit the sender is woken (``on_commit`` only wakes; it writes nothing).
    """
    subject, text, html = render(template, context)
    message = OutboxMessage.objects.create(to=to, subject=subject[:255], body_text=text, body_html=html)
    transaction.on_commit(_wake_sender)
    return message


def _wake_sender():
    mail_queued.send(sender=OutboxMessage)


def resend(*, messages) -> int:
    """Queue dead (or still failing) messages again, with a full set of attempts; returns how many."""
    now = timezone.now()
    count = (
        OutboxMessage.objects.filter(pk__in=[message.pk for message in messages])
        .filter(status__in=[OutboxStatus.DEAD, OutboxStatus.QUEUED])
        .update(status=OutboxStatus.QUEUED, attempts=0, next_attempt_at=now)
    )
    if count:
        transaction.on_commit(_wake_sender)
    return count


def next_due_at():
    """When the earliest queued or leased row becomes due (None: nothing waits)."""
    row = (
        OutboxMessage.objects.filter(status__in=[OutboxStatus.QUEUED, OutboxStatus.SENDING])
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return row


def deliver_due(*, now=None, limit=_BATCH) -> int:
    """Claim up to ``limit`` due rows and try to deliver each; returns how many were sent.

    Does nothing while ``EMAIL_URL`` is unset (the rows wait).
    """
    if not conf.mail_configured():
        return 0
    claimed = _claim(now=now or timezone.now(), limit=limit)
    if not claimed:
        return 0
    sent = 0
    mail_connection = get_connection()
    try:
        for message in claimed:
            sent += _deliver(message, mail_connection)
    finally:
        try:
            mail_connection.close()
        except Exception:  # a broken connection must not hide the outcome
            pass
    return sent


def _claim(*, now, limit) -> list[OutboxMessage]:
    due = OutboxMessage.objects.filter(
        status__in=[OutboxStatus.QUEUED, OutboxStatus.SENDING], next_attempt_at__lte=now
    ).order_by("next_attempt_at", "pk")
    return claim_due(due, now=now, limit=limit, sending=OutboxStatus.SENDING, lease=LEASE)


def message_id(message: OutboxMessage) -> str:
    """The row's one ``Message-ID``, the same for every attempt (derived, so nothing more is stored).

    The row's number and creation time (to the microsecond) keep two rows, or
    two databases that reuse a number, apart; the domain is the sender's.
    """
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    created = message.created_at.strftime("%Y%m%d%H%M%S.%f")
    return f"<gatehouse.outbox.{message.pk}.{created}@{domain}>"


def _deliver(message: OutboxMessage, mail_connection) -> int:
    mail = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        connection=mail_connection,
        headers={"Message-ID": message_id(message)},
    )
    if message.body_html:
        mail.attach_alternative(message.body_html, "text/html")
    try:
        mail.send()
    except Exception as error:
        _record_failure(message, error)
        return 0
    # Delivered: the token links are of no further use here.
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENT, sent_at=timezone.now(), last_error="",
        body_text=mask_tokens(message.body_text), body_html=mask_tokens(message.body_html),
    )
    return 1


def _record_failure(message: OutboxMessage, error: Exception) -> None:
    description = f"{type(error).__name__}: {error}"[:_ERROR_MAX]
    if message.attempts >= conf.mail_max_attempts():
        status, due = OutboxStatus.DEAD, timezone.now()
        logger.error("Mail %s is dead after %s attempts: %s", message.pk, message.attempts, description)
    else:
        status, due = OutboxStatus.QUEUED, timezone.now() + conf.mail_retry_delay(message.attempts)
        logger.warning("Mail %s not delivered (attempt %s), retrying at %s: %s",
                       message.pk, message.attempts, due.isoformat(), description)
    OutboxMessage.objects.filter(pk=message.pk).update(status=status, next_attempt_at=due, last_error=description)
