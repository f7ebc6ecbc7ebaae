"""Soak: a gunicorn under steady traffic with fresh tokens for a bounded time, its processes sampled over time.

    python -m bench.soak [--minutes 10] [--interval 30] [--workers 2] [--concurrency 4] [--users 200]

Starts ``gunicorn backend.wsgi`` (production settings, as ``bench.load``) on
``DATABASE_URL`` (a scratch database: ``load-*`` users are replaced) or a
scratch SQLite file, then for ``--minutes`` (at most 60) keeps its workers
busy the way real clients do: each client thread logs in (a new session and
a new access token), sends a few authenticated GETs with it, refreshes it
(another new token), GETs again, and logs out now and then. Every
``--interval`` seconds it prints, per worker, the resident memory (RSS),
the open descriptors and, of those, the sockets (the connections: to the
clients, the database, its listener, Redis), and the requests done. Growth
that levels off is the bounded caches filling; growth that does not is a
leak.

At the end it states the ceiling of each bounded per-process cache,
measured here in this process by filling a sample with real entries and
scaling to the configured capacity: the verified access tokens
(``VERIFIED_TOKEN_CACHE_SIZE``), the live sessions
(``LIVE_SESSION_CACHE_SIZE``, PostgreSQL), the client-address caches
(``accounts.limits.net``, 2 x 4,096) and the user-agent families
(``accounts.useragent``, 1,024).
"""
import argparse
import gc
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

from bench import procstats
from bench.load import PASSWORD, proxy_headers, request, seed, server_environment
from bench.server import Gunicorn

MAX_MINUTES = 60


def client(address, logins, stop, counts, errors):
    """One client thread: login, GETs, refresh, GETs, sometimes logout; over and over with fresh tokens."""
    n = 0
    while not stop.is_set():
        username, ip = logins[n % len(logins)]
        n += 1
        try:
            headers = {**proxy_headers(ip), "Content-Type": "application/json"}
            body = json.dumps({"username": username, "password": PASSWORD})
            status, response_headers, payload = request(address, "POST", "/api/auth/login/", headers=headers,
                                                        body=body)
            counts["requests"] += 1
            if status != 200:
                errors.append(f"login {status}")
                continue
            access = json.loads(payload)["access"]
            refresh = _cookie(response_headers, "refresh_token")
            for _ in range(3):
                _get(address, ip, access, counts, errors)
            status, response_headers, payload = request(
                address, "POST", "/api/auth/refresh/", headers={**proxy_headers(ip), "Cookie": f"refresh_token={refresh}"})
            counts["requests"] += 1
            if status != 200:
                errors.append(f"refresh {status}")
                continue
            access, refresh = json.loads(payload)["access"], _cookie(response_headers, "refresh_token")
            for _ in range(3):
                _get(address, ip, access, counts, errors)
            if n % 4 == 0:
                status, _, _ = request(address, "POST", "/api/auth/logout/",
                                       headers={**proxy_headers(ip), "Cookie": f"refresh_token={refresh}",
                                                "Authorization": f"Bearer {access}"})
                counts["requests"] += 1
                if status not in (200, 204):
                    errors.append(f"logout {status}")
        except Exception as error:  # noqa: BLE001 - counted, and the soak goes on
            errors.append(f"{type(error).__name__}: {error}")


def _get(address, ip, access, counts, errors):
    status, _, _ = request(address, "GET", "/api/auth/me/",
                           headers={**proxy_headers(ip), "Authorization": f"Bearer {access}"})
    counts["requests"] += 1
    if status != 200:
        errors.append(f"me {status}")


def _cookie(headers, name):
    for cookie in headers.get_all("Set-Cookie") or []:
        key, _, rest = cookie.partition("=")
        if key.strip() == name:
            return rest.split(";", 1)[0]
    return ""


def sample(pids):
    rows = {}
    for pid in pids:
        try:
            memory = procstats.memory_kib(pid)
            fds, sockets = procstats.descriptors(pid)
        except OSError:
            rows[pid] = None  # gone (a worker restarted)
            continue
        rows[pid] = (memory.get("VmRSS", 0), fds, sockets)
    return rows


def _measured(fill, count):
    """Bytes that ``fill(count)`` leaves allocated (tracemalloc), per entry."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    keep = fill(count)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    total = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    del keep
    return total / count


def cache_ceilings(sample_size=500):
    """(cache, capacity, bytes per entry, ceiling in MiB) for each bounded per-process cache."""
    import uuid
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from accounts import conf
    from accounts.limits import net
    from accounts.limits.net import ClientInfo
    from accounts.sessions import lifecycle, live_sessions
    from accounts.sessions.authentication import SessionBoundJWTAuthentication
    from accounts.sessions.verified_tokens import verified_tokens
    from accounts import useragent

    user = get_user_model().objects.filter(username__startswith="load-").first()
    tokens = [lifecycle.start_session(user=user, client=ClientInfo("10.8.0.1", "bench-soak")).access.encode()
              for _ in range(sample_size)]
    authentication = SessionBoundJWTAuthentication()

    def fill_tokens(count):
        verified_tokens.clear()
        for raw in tokens[:count]:
            authentication.verified_grant(raw)
        return None

    memory = live_sessions.LiveSessions()
    memory._socket = -1  # as connected: only ``remember`` is measured, nothing listens

    def fill_sessions(count):
        expires = timezone.now() + timedelta(hours=1)
        for _ in range(count):
            memory.remember(session_id=uuid.uuid4(), user=user, expires_at=expires, epoch=memory.epoch())
        return None

    def fill_addresses(count):
        for n in range(count):
            net.client_key(net._normalized_ip(f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"))
        return None

    def fill_agents(count):
        for n in range(count):
            useragent.device_family(f"Mozilla/5.0 (X11; Linux x86_64) Firefox/{n}.0")
        return None

    rows = []
    for name, capacity, fill in (
        ("verified access tokens (VERIFIED_TOKEN_CACHE_SIZE)", conf.verified_token_cache_size(), fill_tokens),
        ("live sessions (LIVE_SESSION_CACHE_SIZE)", conf.live_session_cache_size(), fill_sessions),
        ("client addresses (accounts.limits.net, two caches)", 2 * 4096, fill_addresses),
        ("user-agent families (accounts.useragent)", 1024, fill_agents),
    ):
        per_entry = _measured(fill, min(sample_size, capacity) or 1)
        if name.startswith("client addresses"):
            per_entry /= 2  # one fill puts an entry in each of the two caches
        rows.append((name, capacity, per_entry, capacity * per_entry / 2**20))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help=f"how long (at most {MAX_MINUTES})")
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between samples")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)))
    parser.add_argument("--concurrency", type=int, default=None, help="client threads (default: 2 per worker)")
    parser.add_argument("--users", type=int, default=200)
    args = parser.parse_args(argv)
    if not 0 < args.minutes <= MAX_MINUTES:
        parser.error(f"--minutes must be more than 0 and at most {MAX_MINUTES}")
    args.sessions, args.logins = 1, 0  # what bench.load's seed reads
    concurrency = args.concurrency or 2 * args.workers

    scratch = None
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        scratch = Path(tempfile.mkdtemp(prefix="gatehouse-soak-"))
        database_url = f"sqlite:///{scratch / 'soak.sqlite3'}"
    env = server_environment(args, database_url)
    os.environ.update(env)
    server, stop, threads = None, threading.Event(), []
    counts, errors = {"requests": 0}, []
    try:
        print(f"seeding {args.users} users ...", flush=True)
        _, _, _, logins = seed(args)
        from django.db import connection

        vendor = connection.vendor
        server = Gunicorn(env, workers=args.workers, name="soak").start()
        pids = procstats.workers(server.process.pid)
        print(f"\ngunicorn backend.wsgi, {args.workers} sync workers, {vendor}, "
              f"{'Redis' if os.environ.get('REDIS_URL') else 'no Redis'}; {concurrency} client threads "
              f"(login, 3 GETs, refresh, 3 GETs, a logout in 4) for {args.minutes:g} min, on the same machine "
              f"({os.cpu_count()} CPUs)\n")
        print("| minute | requests | errors | " + " | ".join(
            f"worker {n + 1}: RSS MiB, fds, sockets" for n in range(len(pids))) + " |")
        print("|---:|---:|---:|" + "---|" * len(pids))

        def line(elapsed):
            rows = sample(pids)
            cells = [("gone" if rows[pid] is None else f"{rows[pid][0] / 1024:.1f}, {rows[pid][1]}, {rows[pid][2]}")
                     for pid in pids]
            print(f"| {elapsed / 60:.1f} | {counts['requests']} | {len(errors)} | " + " | ".join(cells) + " |",
                  flush=True)

        started = time.monotonic()
        line(0.0)
        threads = [threading.Thread(target=client, args=(server.address, logins[n::concurrency], stop, counts, errors),
                                    daemon=True) for n in range(concurrency)]
        for thread in threads:
            thread.start()
        deadline = started + args.minutes * 60
        while (now := time.monotonic()) < deadline:
            time.sleep(min(args.interval, deadline - now))
            line(time.monotonic() - started)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        if server is not None:
            server.stop()
    try:
        print("\nceilings of the bounded per-process caches (entries measured here, scaled to capacity):\n")
        print("| cache | capacity | bytes per entry | ceiling (MiB) |")
        print("|---|---:|---:|---:|")
        for name, capacity, per_entry, ceiling in cache_ceilings():
            print(f"| {name} | {capacity} | {per_entry:.0f} | {ceiling:.1f} |")
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"\nerrors: {len(errors)}")
    for error in sorted(set(errors))[:5]:
        print(f"  {error}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
