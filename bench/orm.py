"""What the hand-written hot-path statements buy: each against its ORM version, and stock simplejwt, in one run.

    python -m bench.orm [--rounds N]

``accounts/sessions/hotpath.py`` keeps three statements precompiled: the
session check of an authenticated request (run on every request on SQLite,
on a miss on PostgreSQL), and a refresh's locked read and its UPDATE. This
runs the same requests as ``bench.bench`` three ways, alternating call by
call: Gatehouse as it is, Gatehouse with the ORM doing those statements (the
same SQL semantics: ``select_related``, ``select_for_update(of=("self",))``,
``save(update_fields=…)``), and stock simplejwt; it prints the medians and
the ratios. The live-session memory is off here, so that every
authenticated request runs the check. A statement stays hand-written only
where a target needs it: refresh >= 2x stock; the authenticated request on
SQLite no slower than today.
"""
import argparse
import os
import sys
from contextlib import contextmanager

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from accounts.models import RefreshSession  # noqa: E402
from accounts.sessions import hotpath, lifecycle  # noqa: E402
from bench.bench import Gatehouse, bench_users, timed_rounds  # noqa: E402


def orm_live_session_user(*, session_id, user_pk, now, alias="default"):
    found = list(
        RefreshSession.objects.using(alias).select_related("user").filter(
            pk=session_id, user_id=user_pk, revoked_at__isnull=True, expires_at__gt=now, user__is_active=True,
        )[:1]
    )
    if not found:
        return None
    session = found[0]
    return session.user, session.password_fingerprint, session.expires_at


def orm_locked_session(session_id):
    found = list(RefreshSession.objects.select_for_update(of=("self",)).select_related("user").filter(pk=session_id))
    return found[0] if found else None


ROTATION_FIELDS = ["generation", "rotated_at", "last_used_at", "expires_at", "last_ip_address", "rotated_by_client"]


def orm_save_rotation(session, *, alias="default"):
    session.save(update_fields=ROTATION_FIELDS)


@contextmanager
def orm_statements():
    saved = hotpath.live_session_user, lifecycle._locked_session, hotpath.save_rotation
    hotpath.live_session_user, lifecycle._locked_session, hotpath.save_rotation = (
        orm_live_session_user, orm_locked_session, orm_save_rotation,
    )
    try:
        yield
    finally:
        hotpath.live_session_user, lifecycle._locked_session, hotpath.save_rotation = saved


class GatehouseORM(Gatehouse):
    name = "gatehouse, ORM statements"

    def refresh(self):
        with orm_statements():
            super().refresh()

    def authenticated_get(self):
        with orm_statements():
            super().authenticated_get()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=500)
    args = parser.parse_args(argv)
    call_command("migrate", verbosity=0)
    with override_settings(GATEHOUSE={**django.conf.settings.GATEHOUSE, "LIVE_SESSION_CACHE_SIZE": 0}):
        ours, stock = bench_users()
        (orm,) = [GatehouseORM(ours.username)]
        sides = [ours, orm, stock]
        for side in sides:
            side.login()
        results = {op: [m * 1000 for m in timed_rounds(sides, op, args.rounds)] for op in ("refresh", "authenticated_get")}
    print(f"Hand-written hot-path statements against the ORM, {connection.vendor}, in-process test client, "
          f"median of {args.rounds} alternating rounds (live-session memory off)\n")
    print("| operation | hand-written (ms) | ORM (ms) | stock simplejwt (ms) | ORM / hand-written "
          "| stock / hand-written | stock / ORM |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for operation, (hand, by_orm, by_stock) in results.items():
        print(f"| {operation} | {hand:.3f} | {by_orm:.3f} | {by_stock:.3f} | {by_orm / hand:.2f}x "
              f"| {by_stock / hand:.2f}x | {by_stock / by_orm:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
