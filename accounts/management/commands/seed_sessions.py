"""Bulk-insert many sessions, for load and scale tests (never on a production database)."""
import random
import secrets
import time
import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts import conf
from accounts.models import RefreshSession, RevocationReason

User = get_user_model()


class Command(BaseCommand):
    help = (
        "Insert N sessions spread over M users (created when missing, named <prefix>NNNNNNN, unusable "
        "password) with bulk_create in batches, each batch its own transaction. A share of the sessions "
        "(--ended-fraction) ended longer ago than the retention period, half revoked, half expired, so "
        "that cleanup_sessions deletes them; the rest are active. No token of a seeded session is ever "
        "issued. For benchmarks and tests only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sessions", type=int, default=10_000, help="how many sessions to insert (N)")
        parser.add_argument("--users", type=int, default=1_000, help="over how many users (M)")
        parser.add_argument("--ended-fraction", type=float, default=0.5, help="share of sessions that ended long ago")
        parser.add_argument("--batch-size", type=int, default=5_000, help="sessions per transaction")
        parser.add_argument("--prefix", default="seed-", help="username prefix of the seeded users")
        parser.add_argument("--seed", type=int, default=None, help="random seed, for repeatable data")

    def handle(self, *args, sessions, users, ended_fraction, batch_size, prefix, seed, **options):
        if sessions < 0 or users < 1 or batch_size < 1 or not 0 <= ended_fraction <= 1:
            raise CommandError("--sessions >= 0, --users >= 1, --batch-size >= 1 and 0 <= --ended-fraction <= 1.")
        rng = random.Random(seed)
        started = time.perf_counter()
        user_ids = self._users(users, prefix)
        made_users = time.perf_counter()
        inserted = 0
        now = timezone.now()
        while inserted < sessions:
            count = min(batch_size, sessions - inserted)
            batch = [self._session(user_ids, ended_fraction, now, rng) for _ in range(count)]
            with transaction.atomic():
                RefreshSession.objects.bulk_create(batch, batch_size=batch_size)
            inserted += count
            if options["verbosity"] >= 2:
                self.stdout.write(f"  {inserted}/{sessions}")
        elapsed = time.perf_counter() - made_users
        rate = inserted / elapsed if elapsed else float("inf")
        self.stdout.write(
            f"Inserted {inserted} sessions over {len(user_ids)} users in {elapsed:.1f} s ({rate:,.0f}/s); "
            f"users ready in {made_users - started:.1f} s."
        )

    def _users(self, count, prefix):
        names = [f"{prefix}{n:07d}" for n in range(count)]
        existing = set(User.objects.filter(username__startswith=prefix).values_list("username", flat=True))
        unusable = make_password(None)
        missing = [
            User(username=name, email=f"{name}@example.com", password=unusable)
            for name in names
            if name not in existing
        ]
        with transaction.atomic():
            User.objects.bulk_create(missing, batch_size=5_000)
        return list(User.objects.filter(username__in=names).values_list("pk", flat=True))

    @staticmethod
    def _session(user_ids, ended_fraction, now, rng):
        retention = conf.retention()
        if rng.random() < ended_fraction:
            # Ended (revoked, or idle past its expiry) before the retention
            # cutoff: cleanup_sessions' to delete.
            created = now - retention - conf.idle_ttl() - timedelta(days=rng.uniform(3, 60))
            last_used = created + timedelta(hours=rng.uniform(0, 48))
            revoked = rng.random() < 0.5
            expires = last_used + conf.idle_ttl()
        else:
            created = now - timedelta(seconds=rng.uniform(0, conf.idle_ttl().total_seconds() / 2))
            last_used = created + (now - created) * rng.random()
            revoked = False
            expires = min(last_used + conf.idle_ttl(), created + conf.absolute_ttl())
        ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        return RefreshSession(
            id=uuid.uuid4(),  # always fresh: a second run with the same --seed adds sessions
            user_id=rng.choice(user_ids),
            token_seed=secrets.token_hex(32),
            generation=rng.randrange(0, 50),
            created_at=created,
            last_used_at=last_used,
            rotated_at=last_used,
            expires_at=expires,
            absolute_expires_at=created + conf.absolute_ttl(),
            revoked_at=last_used if revoked else None,
            revoked_reason=RevocationReason.LOGOUT if revoked else "",
            ip_address=ip,
            last_ip_address=ip,
            user_agent="seed_sessions",
        )
