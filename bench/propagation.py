"""How fast a revocation on one server reaches another: two gunicorns on one PostgreSQL.

    DATABASE_URL=postgres://… python -m bench.propagation [--revocations 200] [--workers 1 2] [--after 10]

Starts servers A and B (production settings, ``bench.server_settings``) on
``DATABASE_URL`` (a scratch database: ``prop-*`` users are replaced). For each
of ``--revocations`` sessions it makes B remember the session (authenticated
GETs first: which of B's sync workers answers is the kernel's choice, and
four per worker make it very likely that each has seen the session), revokes
the session on A (``DELETE /api/auth/sessions/<id>/`` from another session of
the same user), then polls B with the revoked session's access token, one
request at a time, and takes the time from A's 204 to B's first 401. It then
sends ``--after`` more requests to B and counts any that were accepted
(there must be none).

Run once per worker count (``--workers 1 2``), with the live-session memory
on and, for comparison, off (``LIVE_SESSION_CACHE_SIZE=0``: every request asks
the database), side by side. Targets: p99 < 50 ms, max < 250 ms, and nothing
accepted after the first refusal.
"""
import argparse
import json
import os
import statistics
import sys
import time

from bench.load import proxy_headers, request, server_environment
from bench.server import Gunicorn

TARGET_P99_MS, TARGET_MAX_MS = 50.0, 250.0
POLL_TIMEOUT_SECONDS = 5.0


def seed(count):
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, connections

    from accounts.limits.net import ClientInfo
    from accounts.sessions import lifecycle

    if connection.vendor != "postgresql":
        raise SystemExit("bench.propagation needs DATABASE_URL=postgres://… (notifications are PostgreSQL's)")
    call_command("migrate", verbosity=0)
    User = get_user_model()
    User.objects.filter(username__startswith="prop-").delete()
    user = User.objects.create_user(username="prop-user", password=None)
    client = ClientInfo("10.9.0.1", "bench-propagation")
    manager = lifecycle.start_session(user=user, client=client)
    targets = [lifecycle.start_session(user=user, client=client) for _ in range(count)]
    connections.close_all()
    return manager.access, [(str(issued.session.id), issued.access) for issued in targets]


def me(address, access):
    status, _, _ = request(address, "GET", "/api/auth/me/",
                           headers={"Authorization": f"Bearer {access}", **proxy_headers("10.9.0.2")})
    return status


def listeners(database_url):
    """How many live-session listeners are connected to the database (one per worker when the memory is on)."""
    import psycopg

    from accounts.sessions.live_sessions import APPLICATION_NAME

    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND datname = current_database()",
            [APPLICATION_NAME],
        ).fetchone()
    return row[0]


def measure(env, *, workers, manager, targets, after, database_url):
    deadline = time.monotonic() + 30
    while listeners(database_url) and time.monotonic() < deadline:  # the previous run's servers have gone
        time.sleep(0.1)
    a = Gunicorn(env, workers=workers, name="propagation-a").start()
    b = Gunicorn(env, workers=workers, name="propagation-b").start()
    try:
        for session_id, access in targets[:5]:  # start every worker's listener
            for _ in range(4 * workers):
                me(a.address, access), me(b.address, access)
        deadline = time.monotonic() + 10
        expected = 2 * workers if env.get("LIVE_SESSION_CACHE_SIZE") != "0" else 0
        while listeners(database_url) < expected and time.monotonic() < deadline:
            for server in (a, b):
                me(server.address, targets[0][1])
            time.sleep(0.05)
        connected = listeners(database_url)
        delays, accepted_after, lost = [], 0, 0
        for session_id, access in targets:
            for _ in range(4 * workers):  # each worker of B has very likely answered it (and remembers it)
                assert me(b.address, access) == 200
            status, _, body = request(
                a.address, "DELETE", f"/api/auth/sessions/{session_id}/",
                headers={"Authorization": f"Bearer {manager}", **proxy_headers("10.9.0.3")},
            )
            revoked_at = time.perf_counter()
            assert status == 204, body
            while me(b.address, access) != 401:
                if time.perf_counter() - revoked_at > POLL_TIMEOUT_SECONDS:
                    lost += 1
                    break
            delays.append((time.perf_counter() - revoked_at) * 1000)
            accepted_after += sum(me(b.address, access) == 200 for _ in range(after))
        return {"delays": delays, "accepted_after": accepted_after, "lost": lost, "listeners": connected}
    finally:
        a.stop()
        b.stop()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revocations", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="gunicorn workers per server")
    parser.add_argument("--after", type=int, default=10, help="requests after the first refusal, per revocation")
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        parser.error("set DATABASE_URL=postgres://… (a scratch database)")
    env = server_environment(argparse.Namespace(), database_url)
    os.environ.update(env)
    rows = []
    for workers in args.workers:
        for memory in ("on", "off"):
            manager, targets = seed(args.revocations)
            run_env = {**env, "LIVE_SESSION_CACHE_SIZE": "10000" if memory == "on" else "0"}
            result = measure(run_env, workers=workers, manager=manager, targets=targets, after=args.after,
                             database_url=database_url)
            rows.append((workers, memory, result))
            print(json.dumps({"workers": workers, "memory": memory, "listeners": result["listeners"],
                              "p50": statistics.median(result["delays"])}), file=sys.stderr, flush=True)

    print(f"\nRevocation on server A, first refusal on server B: {args.revocations} revocations, "
          f"one PostgreSQL, {os.cpu_count()} CPUs shared by both servers, the database and this client\n")
    print("| workers per server | live-session memory | listeners | p50 (ms) | p99 (ms) | max (ms) "
          "| accepted after the first refusal | never refused |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    met = True
    for workers, memory, result in rows:
        delays = result["delays"]
        p50, p99, worst = statistics.median(delays), percentile(delays, 0.99), max(delays)
        print(f"| {workers} | {memory} | {result['listeners']} | {p50:.1f} | {p99:.1f} | {worst:.1f} | "
              f"{result['accepted_after']} of {len(delays) * args.after} | {result['lost']} |")
        met &= p99 < TARGET_P99_MS and worst < TARGET_MAX_MS and result["accepted_after"] == 0 and not result["lost"]
    print(f"\ntargets: p99 < {TARGET_P99_MS:.0f} ms, max < {TARGET_MAX_MS:.0f} ms, "
          f"none accepted after the first refusal: {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
