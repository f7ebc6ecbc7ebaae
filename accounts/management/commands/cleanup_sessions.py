"""Delete ended sessions and tokens, old security events and webhook deliveries in small batches (cron-safe)."""
import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts import conf
from accounts.federation.models import FederationState
from accounts.models import PasskeyChallenge, RefreshSession, SecurityEvent
from accounts.personal_tokens.models import PersonalAccessToken
from accounts.webhooks.models import DeliveryStatus, WebhookDelivery


class Command(BaseCommand):
    help = (
        "Delete sessions and personal access tokens that ended (expired or revoked) longer ago than the "
        "retention period, security events and finished webhook deliveries older than it, and expired passkey "
        "challenges and provider sign-ins in flight. Each batch is its own short transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--pause", type=float, default=0.0, help="Seconds to sleep between batches.")
        parser.add_argument("--retention-days", type=int, default=None, help="Override GATEHOUSE_RETENTION_DAYS.")

    def handle(self, *args, batch_size, pause, retention_days, **options):
        if batch_size < 1:
            self.stderr.write("--batch-size must be at least 1.")
            return
        retention = conf.retention() if retention_days is None else timedelta(days=retention_days)
        cutoff = timezone.now() - retention
        # One index per pass, so that each batch is an index range scan that
        # stops at the batch size. (An OR of the two conditions, or the
        # model's ordering by last_used_at, has every batch read and sort all
        # the ended rows: a million rows took minutes, not seconds.)
        expired = RefreshSession.objects.filter(expires_at__lt=cutoff)
        revoked = RefreshSession.objects.filter(revoked_at__lt=cutoff)
        old_events = SecurityEvent.objects.filter(created_at__lt=cutoff)
        sessions = self._delete_in_batches(expired, batch_size, pause)
        sessions += self._delete_in_batches(revoked, batch_size, pause)
        events = self._delete_in_batches(old_events, batch_size, pause)
        # An ended token stays listed to its owner (as expired) until then.
        tokens = self._delete_in_batches(PersonalAccessToken.objects.filter(expires_at__lt=cutoff), batch_size, pause)
        tokens += self._delete_in_batches(PersonalAccessToken.objects.filter(revoked_at__lt=cutoff), batch_size, pause)
        self.stdout.write(
            f"Deleted {sessions} ended sessions and {events} security events older than {cutoff:%Y-%m-%d %H:%M}, "
            f"and {tokens} ended personal access tokens."
        )
        # Unanswered passkey challenges are of no use once expired (new ones sweep them too).
        challenges = self._delete_in_batches(
            PasskeyChallenge.objects.filter(expires_at__lte=timezone.now()), batch_size, pause
        )
        self.stdout.write(f"Deleted {challenges} expired passkey challenges.")
        # Sign-ins sent to another identity provider that never came back (new ones sweep them too).
        flights = self._delete_in_batches(
            FederationState.objects.filter(expires_at__lte=timezone.now()), batch_size, pause
        )
        self.stdout.write(f"Deleted {flights} expired sign-ins through other identity providers.")
        # Webhook deliveries that are over (delivered, dropped, dead) once queued longer ago than the retention.
        finished = WebhookDelivery.objects.filter(created_at__lt=cutoff).exclude(
            status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]
        )
        self.stdout.write(f"Deleted {self._delete_in_batches(finished, batch_size, pause)} finished webhook deliveries.")

    def _delete_in_batches(self, queryset, batch_size, pause):
        """Delete the rows of ``queryset`` ``batch_size`` at a time, each batch in its own short transaction.

        For most models a batch is one DELETE: nothing references their rows
        with a constraint (a security event keeps a deleted session's or
        token's id without one). A batch of sessions is more: Django reads the
        batch's rows, deletes what cascades from them (a ``ClientGrant``, a
        ``FederatedSignIn``), clears ``AuthorizationCode.grant_session``
        (SET_NULL), then deletes the sessions, all in that one transaction.
        """
        total = 0
        while True:
            ids = list(queryset.order_by().values_list("pk", flat=True)[:batch_size])
            if not ids:
                return total
            with transaction.atomic():
                deleted, _ = queryset.model.objects.filter(pk__in=ids).delete()
            total += deleted
            if pause:
                time.sleep(pause)
