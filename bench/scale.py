"""Hot paths, the admin and cleanup with many sessions in the table.

    python -m bench.scale [--rows 1000 100000] [--users 10000] [--ended-fraction 0.5] [--rounds 300]
    python -m bench.scale --rows 1000 1000000          # the million (about 2-4 minutes of seeding per million rows)

For each table size (total sessions, grown with ``seed_sessions``) it prints
the median time and the SQL statements of a refresh and of an authenticated
GET (they should stay flat: both go by primary key), and of the admin's
session pages with a superuser logged in (they should stay bounded: one page
of 100 rows, indexed orderings, no full count), and the session list's six
views beside their targets (under 300 ms each, one user's sessions under
50 ms, at a million sessions). Then ``cleanup_sessions``
deletes the ended sessions (topped up to as many as the largest size) in
batches, and the time of each batch is reported.

Runs in-process with the test client (``bench.settings``: MD5 hasher on the
measured user, throttles lifted) on a fresh SQLite file, or on
``DATABASE_URL`` if set: use a scratch database (``seed-*`` users are added,
ended sessions are deleted).
"""
import argparse
import io
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts import conf  # noqa: E402
from accounts.models import RefreshSession  # noqa: E402
from bench.bench import PASSWORD, Gatehouse, is_transaction_control  # noqa: E402

User = get_user_model()
SEED_PREFIX = "seed-"


def median_ms(call, rounds):
    call()
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000, max(timings) * 1000


def statement_count(call):
    """Statements that read or write (transaction control left out, as in the budget tests)."""
    with CaptureQueriesContext(connection) as captured:
        call()
    return sum(not is_transaction_control(query["sql"]) for query in captured.captured_queries)


def analyze():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {RefreshSession._meta.db_table}")
            cursor.execute(f"ANALYZE {User._meta.db_table}")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def vacuum():
    """On PostgreSQL, clear the dead rows a previous run's sessions left.

    Without it the smallest size is measured on a table of a million dead
    tuples, which every scan still reads (a 1,000-row page then took 200 ms).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {RefreshSession._meta.db_table}")


def seed(count, users, ended_fraction):
    if count <= 0:
        return 0.0
    started = time.perf_counter()
    call_command(
        "seed_sessions", sessions=count, users=users, ended_fraction=ended_fraction, batch_size=5000,
        prefix=SEED_PREFIX, stdout=io.StringIO(),
    )
    return time.perf_counter() - started


# The session list's six views and their targets (median ms) at a million sessions.
SESSION_VIEW_TARGETS = {
    "sessions: all (page 1)": 300,
    "sessions: status=active": 300,
    "sessions: status=revoked": 300,
    "sessions: one user's active": 50,
    "sessions: search username": 300,
    "sessions: search IP prefix": 300,
}


class AdminPages:
    def __init__(self, admin):
        self.client = Client()
        self.client.force_login(admin)
        sample = RefreshSession.objects.filter(user__username__startswith=SEED_PREFIX).order_by().first()
        self.user_id = sample.user_id
        self.username = sample.user.username
        self.ip_prefix = ".".join(sample.ip_address.split(".")[:3]) + "."
        self.session_id = sample.pk

    def pages(self):
        base = "/admin/accounts/refreshsession/"
        return {
            "sessions: all (page 1)": base,
            "sessions: page 5": f"{base}?p=5",
            "sessions: status=active": f"{base}?status=active",
            "sessions: status=revoked": f"{base}?status=revoked",
            "sessions: one user's active": f"{base}?user__id__exact={self.user_id}&status=active",
            "sessions: search username": f"{base}?q={self.username}",
            "sessions: search IP prefix": f"{base}?q={self.ip_prefix}",
            "session: change page": f"{base}{self.session_id}/change/",
            "user: change page (inline)": f"/admin/accounts/user/{self.user_id}/change/",
            "users: all": "/admin/accounts/user/",
        }

    def get(self, path):
        response = self.client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code} {response.get('Location', '')}")


def measure_size(rows, args, admin):
    """Time the hot paths and the admin pages at the current table size."""
    side = Gatehouse("scale-measure")
    side.login()
    hot = {}
    for operation in ("refresh", "authenticated_get"):
        call = getattr(side, operation)
        hot[operation] = (*median_ms(call, args.rounds), statement_count(call))
    pages = AdminPages(admin)
    admin_results = {}
    for name, path in pages.pages().items():
        try:
            admin_results[name] = (*median_ms(lambda p=path: pages.get(p), args.admin_rounds),
                                   statement_count(lambda p=path: pages.get(p)))
        except RuntimeError as error:
            admin_results[name] = (float("nan"), float("nan"), str(error))
    return hot, admin_results


def cleanup(target_ended, users):
    """Top ended sessions up to ``target_ended``, then time cleanup_sessions batch by batch."""
    cutoff = timezone.now() - conf.retention()
    ended = RefreshSession.objects.filter(revoked_at__lt=cutoff) | RefreshSession.objects.filter(expires_at__lt=cutoff)
    already = ended.count()
    seed(target_ended - already, users, 1.0)
    analyze()
    to_delete = ended.count()
    active_before = RefreshSession.objects.active().count()

    batch_times = []

    def timed_delete(execute, sql, params, many, context):
        if not sql.lstrip().upper().startswith("DELETE"):
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            batch_times.append(time.perf_counter() - started)

    started = time.perf_counter()
    with connection.execute_wrapper(timed_delete):
        call_command("cleanup_sessions", batch_size=5000, stdout=io.StringIO())
    total = time.perf_counter() - started
    remaining_ended = ended.count()
    active_after = RefreshSession.objects.active().count()
    return {
        "to_delete": to_delete,
        "remaining_ended": remaining_ended,
        "active_kept": active_after == active_before,
        "total": total,
        "batches": batch_times,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 100_000], help="table sizes (total sessions)")
    parser.add_argument("--users", type=int, default=10_000, help="seeded users the sessions are spread over")
    parser.add_argument("--ended-fraction", type=float, default=0.5, help="share of seeded sessions ended long ago")
    parser.add_argument("--rounds", type=int, default=300, help="rounds per hot-path median")
    parser.add_argument("--admin-rounds", type=int, default=5, help="rounds per admin-page median")
    parser.add_argument("--no-cleanup", action="store_true")
    args = parser.parse_args(argv)
    sizes = sorted(set(args.rows))

    call_command("migrate", verbosity=0)
    for username in ("scale-measure", "scale-admin"):
        User.objects.filter(username=username).delete()
    User.objects.create_user(username="scale-measure", password=PASSWORD)
    admin = User.objects.create_superuser(username="scale-admin", email="admin@example.com", password=PASSWORD)
    if RefreshSession.objects.filter(user__username__startswith=SEED_PREFIX).delete()[0]:
        vacuum()

    print(f"Gatehouse at scale: {connection.vendor}, in-process test client, sessions spread over "
          f"{args.users} users, {args.ended_fraction:.0%} of them ended past retention\n", flush=True)
    results = {}
    for rows in sizes:
        seeded = seed(rows - RefreshSession.objects.count(), args.users, args.ended_fraction)
        analyze()
        actual = RefreshSession.objects.count()
        print(f"  {actual:,} sessions (seeded in {seeded:.1f} s); measuring ...", flush=True)
        results[actual] = measure_size(actual, args, admin)

    sizes_seen = list(results)
    print("\nHot paths, median (max) ms, and SQL statements per call:\n")
    print("| sessions in table | refresh (ms) | refresh statements | authenticated GET (ms) | GET statements |")
    print("|---:|---:|---:|---:|---:|")
    for rows, (hot, _) in results.items():
        (r_med, r_max, r_n), (g_med, g_max, g_n) = hot["refresh"], hot["authenticated_get"]
        print(f"| {rows:,} | {r_med:.3f} ({r_max:.1f}) | {r_n} | {g_med:.3f} ({g_max:.1f}) | {g_n} |")
    if len(sizes_seen) > 1:
        small, large = results[sizes_seen[0]][0], results[sizes_seen[-1]][0]
        for operation in ("refresh", "authenticated_get"):
            print(f"  {operation}: {large[operation][0] / small[operation][0]:.2f}x the time at "
                  f"{sizes_seen[-1]:,} rows as at {sizes_seen[0]:,}")

    print(f"\nAdmin pages (superuser), median of {args.admin_rounds} ms, and SQL statements:\n")
    print("| page | " + " | ".join(f"{rows:,} rows" for rows in sizes_seen) + " |")
    print("|---|" + "---:|" * len(sizes_seen))
    for name in next(iter(results.values()))[1]:
        cells = []
        for rows in sizes_seen:
            med, _, count = results[rows][1][name]
            cells.append(f"{med:.1f} ms, {count} q" if isinstance(count, int) else f"error: {count}")
        print(f"| {name} | " + " | ".join(cells) + " |")

    largest = sizes_seen[-1]
    print(f"\nThe session list's six views, median ms, against the targets (met or missed at {largest:,} rows):\n")
    print("| view | " + " | ".join(f"{rows:,} rows" for rows in sizes_seen) + f" | target | at {largest:,} |")
    print("|---|" + "---:|" * len(sizes_seen) + "---:|---|")
    for name, target in SESSION_VIEW_TARGETS.items():
        times = [results[rows][1][name][0] for rows in sizes_seen]
        verdict = "met" if times[-1] < target else "MISSED"
        print(f"| {name.removeprefix('sessions: ')} | " + " | ".join(f"{ms:.1f}" for ms in times)
              + f" | < {target} | {verdict} |")

    if not args.no_cleanup:
        target = sizes_seen[-1]
        print(f"\ncleanup_sessions --batch-size 5000 on {target:,}+ ended sessions ...", flush=True)
        outcome = cleanup(target, args.users)
        batches = outcome["batches"] or [0.0]
        ms = sorted(t * 1000 for t in batches)
        print("\n| ended sessions deleted | batches (DELETE statements) | total (s) "
              "| DELETE per batch: median / p99 / max (ms) |")
        print("|---:|---:|---:|---:|")
        print(f"| {outcome['to_delete'] - outcome['remaining_ended']:,} | {len(batches)} | {outcome['total']:.1f} | "
              f"{statistics.median(ms):.1f} / {ms[min(len(ms) - 1, int(0.99 * len(ms)))]:.1f} / {ms[-1]:.1f} |")
        print(f"  ended sessions left: {outcome['remaining_ended']}; "
              f"active sessions untouched: {outcome['active_kept']}")
        print(f"  (the DELETE is the only statement holding row locks; the batch's SELECT of ids takes none. "
              f"Wall time per batch including that SELECT: {outcome['total'] / len(batches) * 1000:.0f} ms on average)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
