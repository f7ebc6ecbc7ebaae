"""Load against a real gunicorn server on loopback: throughput and p50/p99 latency.

    python -m bench.load [--workers 2] [--threads 4] [--seconds 9] [--concurrency N] [--sessions 1000]
                         [--logins 60] [--client auto|python|wrk] [--flood-only] [--flood-ignores-retry-after]
                         [--check]

Starts ``gunicorn backend.wsgi`` itself (``--threads`` threads per worker as
``make serve`` runs it, sync workers with ``--threads 1``; production settings, ``DJANGO_DEBUG``
off, plus the bench-only routes of ``bench.urls``) on a free 127.0.0.1 port,
on a scratch SQLite file, or on ``DATABASE_URL`` when set (tables are created
there and ``load-*`` users replaced: use a scratch database). ``REDIS_URL`` is
passed through, so the throttles count in Redis when it is set.

It seeds users and sessions directly in the database, then measures, with a
stdlib client (threads, one connection per request: gunicorn's sync workers
do not keep connections alive), or for the GET phases with ``wrk`` when it is
installed (Debian's ``wrk``, optional, ``--client`` chooses: it takes far less
CPU than Python threads, so on a small machine it leaves more to the server
and gives truer ratios):

- ``ceiling``: ``GET /api/bench/ceiling/``, the ``/api/auth/me/`` view without
  authentication (same classes, headers, serializer, middleware);
- ``me``: ``GET /api/auth/me/`` with a Bearer token, rotating over the sessions;
- ``stock me``: the same view behind stock simplejwt's ``JWTAuthentication``;
- ``health``: ``GET /api/health/`` (one ``SELECT 1``), for reference;
- ``refresh`` and ``client refresh``, taking turns in ``--repeat`` slices:
  the browser's ``POST /api/auth/refresh/`` across the seeded sessions, and an
  OpenID client's ``POST /oauth/token/`` (``grant_type=refresh_token``, a
  confidential client with HTTP Basic) across as many grants, one opened
  under each seeded session; each session or grant used by one client thread
  only and always with its latest token. The workers' CPU time over each
  gives **refreshes/s per core** side by side (target for the client's:
  >= 120);
- ``login``: ``POST /api/auth/login/`` (the production hasher, Argon2id);
  the workers' CPU time over this phase gives the CPU cost of a login and
  so **logins/s per core**, and their peak resident memory is printed;
- ``me (threads)`` then ``me during login flood``: the authenticated GET
  with this script's threads alone, then while as many threads again post
  logins as fast as they are answered: the GET's p99 with and without the
  flood side by side, the machine's load average after each, and their
  ratio (target: within 2x). A login refused 503 ``hashing_busy`` (every
  hashing slot taken) is counted apart, and its client waits ``Retry-After``
  before its next login, as the browser app does
  (``--flood-ignores-retry-after``: it posts again at once);
  ``--flood-only`` runs these two phases alone.

The clients act as many distinct addresses behind one trusted proxy
(``TRUSTED_PROXY_COUNT=1``, ``X-Forwarded-For``, ``X-Forwarded-Proto: https``),
as a load balancer would forward them; the throttle rates are raised through
``LOGIN_RATE_PER_IP``, ``REFRESH_RATE_PER_IP``, ``REGISTER_RATE_PER_IP`` and
``OAUTH_TOKEN_RATE_PER_MINUTE``. The server signs with a fresh ES256 key
(``JWT_ALGORITHM``, ``JWT_PRIVATE_KEY``), as the OpenID Provider needs: its
ID tokens are checked with the published key.
The read phases alternate (ceiling, me, stock me, repeated) so that a busy
machine slows all of them alike. Every phase is bounded by time and count;
the run fails (exit 1) on any error, and with ``--check`` also when ``me`` is
below 0.80 of the ceiling or a client's refreshes/s per core below 120.
"""
import argparse
import base64
import hashlib
import http.client
import json
import os
import re
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bench import procstats
from bench.server import Gunicorn

PASSWORD = "load password, not a secret"
TARGET_RATIO = 0.80
CLIENT_REFRESH_TARGET = 120  # refreshes/s per core (Keycloak's sizing figure per vCPU)
CLIENT_ID = "load-app"
CLIENT_REDIRECT = "https://app.example/callback"


# --- the client -----------------------------------------------------------------


@dataclass
class Phase:
    name: str
    latencies: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    elapsed: float = 0.0
    client_cpu: float = 0.0
    # Filled in by wrk, which reports counts and percentiles rather than latencies.
    requests: int = 0
    refused: int = 0  # logins answered 503 hashing_busy, among ``count``
    wrk_percentiles: list = field(default_factory=list)  # [(p50, p99), ...] per slice, seconds

    def merge(self, other):
        self.latencies += other.latencies
        self.errors += other.errors
        self.elapsed += other.elapsed
        self.client_cpu += other.client_cpu
        self.requests += other.requests
        self.wrk_percentiles += other.wrk_percentiles

    @property
    def count(self):
        return len(self.latencies) + self.requests

    @property
    def throughput(self):
        return self.count / self.elapsed if self.elapsed else 0.0

    def percentile(self, fraction):
        if self.wrk_percentiles:  # the median over slices of wrk's own percentiles
            values = sorted(p50 if fraction == 0.5 else p99 for p50, p99 in self.wrk_percentiles)
            return values[len(values) // 2]
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass
class Pause:
    """What a job answers to be timed as done, then wait ``seconds`` before its next request (Retry-After)."""

    seconds: float


def request(address, method, path, *, headers=None, body=None, timeout=10.0):
    connection = http.client.HTTPConnection(*address, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        payload = response.read()
        return response.status, response.headers, payload
    finally:
        connection.close()


def proxy_headers(ip):
    return {"X-Forwarded-For": ip, "X-Forwarded-Proto": "https"}


def run_phase(name, jobs, *, seconds, max_requests):
    """Run ``jobs`` (one callable per client thread, each returning an error or None) until time or count is up."""
    phase = Phase(name)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    issued = [0]

    def worker(job):
        latencies, errors = [], []
        while time.monotonic() < deadline:
            with lock:
                if issued[0] >= max_requests:
                    break
                issued[0] += 1
            started = time.perf_counter()
            try:
                error = job()
            except Exception as exc:  # a refused or reset connection is an error, not a crash
                error = f"{type(exc).__name__}: {exc}"
            latencies.append(time.perf_counter() - started)
            if isinstance(error, Pause):
                if error.seconds:
                    time.sleep(max(0.0, min(error.seconds, deadline - time.monotonic())))
            elif error:
                errors.append(error)
        with lock:
            phase.latencies.extend(latencies)
            phase.errors.extend(errors)

    threads = [threading.Thread(target=worker, args=(job,), daemon=True) for job in jobs]
    cpu, started = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    phase.elapsed = time.perf_counter() - started
    phase.client_cpu = time.process_time() - cpu
    return phase


_WRK_SCRIPT = """
local credentials = {%s}
local counter = 0
request = function()
  counter = counter + 1
  local credential = credentials[(counter %% #credentials) + 1]
  local headers = { ["X-Forwarded-Proto"] = "https", ["X-Forwarded-For"] = credential[2] }
  if credential[1] ~= "" then headers["Authorization"] = "Bearer " .. credential[1] end
  return wrk.format("GET", "%s", headers)
end
"""


def _wrk_seconds(text):
    number, unit = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def run_wrk(name, address, path, credentials, *, seconds, concurrency):
    """One GET phase with wrk (C, far lighter than this client): rotating credentials, as the threads do."""
    phase = Phase(name)
    table = ", ".join(f'{{"{bearer or ""}", "{ip}"}}' for bearer, ip in credentials)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_SCRIPT % (table, path))
    try:
        threads = max(1, min(concurrency, 2))
        command = ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--latency",
                   "-s", script.name, f"http://{address[0]}:{address[1]}{path}"]
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        phase.client_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    finally:
        os.unlink(script.name)
    total = re.search(r"(\d+) requests in ([0-9.]+)(\w+)", output)
    if not total:
        phase.errors.append(f"wrk: no result: {output[-300:]!r}")
        return phase
    phase.requests = int(total.group(1))
    phase.elapsed = _wrk_seconds(total.group(2) + total.group(3))
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    phase.wrk_percentiles.append((_wrk_seconds(p50.group(1)), _wrk_seconds(p99.group(1))))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if bad:
        phase.errors += [f"{name}: non-2xx response"] * int(bad.group(1))
    if socket and any(int(n) for n in socket.groups()):
        phase.errors.append(f"{name}: wrk socket errors: {socket.group(0)}")
    return phase


def cycling(items):
    while True:
        yield from items


def get_job(address, path, credentials):
    """GET ``path`` with each credential (bearer, ip) in turn; expect 200."""
    it = cycling(credentials)
    lock = threading.Lock()

    def job():
        with lock:
            bearer, ip = next(it)
        headers = proxy_headers(ip)
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        status, _, body = request(address, "GET", path, headers=headers)
        return None if status == 200 else f"GET {path}: {status} {body[:120]!r}"

    return job


def refresh_job(address, sessions):
    """Refresh this thread's own sessions in turn, always with the latest token."""
    state = [dict(session) for session in sessions]
    position = [0]

    def job():
        session = state[position[0] % len(state)]
        position[0] += 1
        headers = {**proxy_headers(session["ip"]), "Cookie": f"refresh_token={session['refresh']}"}
        status, response_headers, body = request(address, "POST", "/api/auth/refresh/", headers=headers)
        if status != 200:
            return f"refresh: {status} {body[:120]!r}"
        for cookie in response_headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            if name.strip() == "refresh_token":
                session["refresh"] = rest.split(";", 1)[0]
                return None
        return "refresh: no new refresh cookie"

    return job


def client_refresh_job(address, grants, secret):
    """An OpenID client refreshing this thread's own grants in turn at ``/oauth/token/``, with the latest token."""
    state = [dict(grant) for grant in grants]
    position = [0]
    basic = "Basic " + base64.b64encode(f"{CLIENT_ID}:{secret}".encode()).decode()

    def job():
        grant = state[position[0] % len(state)]
        position[0] += 1
        body = urlencode({"grant_type": "refresh_token", "refresh_token": grant["refresh"]})
        headers = {**proxy_headers(grant["ip"]), "Authorization": basic,
                   "Content-Type": "application/x-www-form-urlencoded"}
        status, _, payload = request(address, "POST", "/oauth/token/", headers=headers, body=body)
        if status != 200:
            return f"client refresh: {status} {payload[:120]!r}"
        token = json.loads(payload).get("refresh_token")
        if not token:
            return "client refresh: no new refresh token"
        grant["refresh"] = token
        return None

    return job


def login_job(address, users, *, refused=None, retry_after=True):
    """POST a login with each user in turn; expect 200.

    A 503 ``hashing_busy`` (every hashing slot of the server taken) is counted
    in ``refused`` (a list, one entry per refusal) rather than as an error,
    and, with ``retry_after``, this client waits ``Retry-After`` seconds
    before its next login, as the browser app and a polite client do.
    """
    it = cycling(users)
    lock = threading.Lock()

    def job():
        with lock:
            username, ip = next(it)
        body = json.dumps({"username": username, "password": PASSWORD})
        headers = {**proxy_headers(ip), "Content-Type": "application/json"}
        status, response_headers, payload = request(address, "POST", "/api/auth/login/", headers=headers, body=body)
        if status == 503 and refused is not None and b'"hashing_busy"' in payload:
            refused.append(1)
            return Pause(float(response_headers.get("Retry-After") or 1) if retry_after else 0.0)
        return None if status == 200 else f"login: {status} {payload[:120]!r}"

    return job


def login_phase(name, address, logins, concurrency, *, seconds, max_requests, retry_after=True):
    """Logins from ``concurrency`` threads; the phase's ``refused`` counts the 503 ``hashing_busy`` answers."""
    refused = []
    phase = run_phase(
        name, [login_job(address, logins[n::concurrency], refused=refused, retry_after=retry_after)
               for n in range(concurrency)],
        seconds=seconds, max_requests=max_requests,
    )
    phase.refused = len(refused)
    return phase


# --- setting up -------------------------------------------------------------------


def database_queries_per_request(database_url, run):
    """Transactions PostgreSQL counted while ``run()`` ran, per request it made (autocommit: one per query).

    Less what the idle server commits meanwhile: each process's live-session listener beats ten times a
    second (one transaction each), whatever the traffic; that rate is read over an idle window first.
    """
    import psycopg

    def transactions():
        time.sleep(11)  # an idle server process flushes its statistics to pg_stat_database within 10 s
        with psycopg.connect(database_url, autocommit=True) as connection:
            return connection.execute(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
            ).fetchone()[0], time.monotonic()

    idle_from, idle_started = transactions()
    before, started = transactions()
    idle_rate = max(0, before - idle_from - 1) / (started - idle_started)
    phase = run()
    after, ended = transactions()
    background = idle_rate * (ended - started)
    return max(0.0, after - before - 1 - background) / max(1, phase.count)  # less the reading's own transaction


def _es256_pem():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def server_environment(args, database_url):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.server_settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        TRUSTED_PROXY_COUNT="1",
        ACCESS_TOKEN_TTL="3600",
        LOGIN_RATE_PER_IP="100000/min",
        REFRESH_RATE_PER_IP="100000/min",
        REGISTER_RATE_PER_IP="100000/min",
        OAUTH_TOKEN_RATE_PER_MINUTE="100000000",
        JWT_ALGORITHM="ES256",
        JWT_PRIVATE_KEY=_es256_pem(),
        JWT_ISSUER="https://gatehouse.load.example",
        GATEHOUSE_LOG_LEVEL="WARNING",
        PYTHONPATH=str(Path(__file__).resolve().parent.parent),
    )
    return env


def seed(args):
    """Users and sessions straight in the database.

    Returns (gatehouse credentials, stock credentials, sessions, login credentials, grants, client secret):
    a grant is an OpenID client's refresh token, one opened under each seeded session through the
    provider's own code flow (``flows.allow``, then ``flows.exchange_code``).
    """
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connections
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.limits.net import ClientInfo
    from accounts.oidc_provider import clients, flows, requests
    from accounts.oidc_provider.models import OAuthClient
    from accounts.sessions import lifecycle

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    User = get_user_model()
    User.objects.filter(username__startswith="load-").delete()
    password = make_password(PASSWORD)  # hashed once (Argon2id), shared by every seeded user
    User.objects.bulk_create(
        [
            User(username=f"load-{n:05d}", email=f"load-{n:05d}@example.com", password=password)
            for n in range(args.users)
        ]
    )
    users = list(User.objects.filter(username__startswith="load-").order_by("username"))

    def ip(n):
        return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"

    sessions = []
    for n in range(args.sessions):
        user = users[n % len(users)]
        issued = lifecycle.start_session(user=user, client=ClientInfo(ip(n), "bench-load"))
        sessions.append({"access": issued.access, "refresh": issued.refresh, "ip": ip(n), "user": user})
    gatehouse = [(s["access"], s["ip"]) for s in sessions]
    stock = [(str(AccessToken.for_user(s["user"])), s["ip"]) for s in sessions]
    logins = [(user.username, ip(100_000 + n)) for n, user in enumerate(users)]

    secret = secrets.token_urlsafe(32)
    OAuthClient.objects.filter(client_id=CLIENT_ID).delete()  # with its grants' sessions left to end by themselves
    client, _ = clients.set_client(CLIENT_ID, clients.ClientSettings(
        redirect_uris=[CLIENT_REDIRECT], name="Load app", secret=secret, trusted=True))
    grants = []
    for n, session in enumerate(sessions):
        browser = lifecycle_session(session["access"])
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        authorization = requests.AuthorizationRequest(
            client_id=CLIENT_ID, redirect_uri=CLIENT_REDIRECT, scopes="openid profile offline_access", state="s",
            nonce="n", code_challenge=challenge, prompt="", max_age=None, acr_requested=False, issued_at=0,
        )
        location = flows.allow(request=authorization, client=client, user=session["user"], session=browser,
                               consented=False)
        code = location.split("code=", 1)[1].split("&", 1)[0]
        issued = flows.exchange_code(client=client, code=code, redirect_uri=CLIENT_REDIRECT, code_verifier=verifier,
                                     client_info=ClientInfo(ip(200_000 + n), "bench-load"))
        grants.append({"refresh": issued.refresh_token, "ip": ip(200_000 + n)})
    connections.close_all()
    return gatehouse, stock, sessions, logins, grants, secret


def lifecycle_session(access):
    """The seeded browser session an access token names (its ``sid``)."""
    from accounts.models import RefreshSession

    payload = access.split(".")[1]
    sid = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sid"]
    return RefreshSession.objects.get(pk=sid)


# --- the run --------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)))
    parser.add_argument("--concurrency", type=int, default=None, help="client threads (default: 2 per worker)")
    parser.add_argument("--seconds", type=float, default=9.0, help="per read phase, split over --repeat slices")
    parser.add_argument("--repeat", type=int, default=3, help="alternations of the read phases")
    parser.add_argument("--max-requests", type=int, default=200_000, help="cap per phase")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--logins", type=int, default=60, help="cap on logins (Argon2id: ~0.1 s of CPU each)")
    parser.add_argument("--client", choices=["auto", "python", "wrk"], default="auto",
                        help="client for the GET phases: this script's threads, or wrk (apt-get install wrk), "
                             "which leaves more of the CPUs to the server; auto: wrk when it is installed")
    parser.add_argument("--threads", type=int, default=4,
                        help="threads per worker (gthread, as make serve's default; 1: sync workers)")
    parser.add_argument("--flood-ignores-retry-after", action="store_true",
                        help="the flooding clients post again at once when refused (503) instead of waiting")
    parser.add_argument("--flood-only", action="store_true",
                        help="only the authenticated GET alone and during a login flood (quicker to repeat)")
    parser.add_argument("--check", action="store_true",
                        help=f"exit 1 also when me/ceiling < {TARGET_RATIO} or client refreshes/s per core "
                             f"< {CLIENT_REFRESH_TARGET}")
    args = parser.parse_args(argv)
    concurrency = args.concurrency or 2 * args.workers
    if args.client == "auto":
        args.client = "wrk" if shutil.which("wrk") else "python"
    elif args.client == "wrk" and not shutil.which("wrk"):
        parser.error("--client wrk needs wrk on the PATH (Debian: apt-get install wrk)")

    scratch = None
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        scratch = Path(tempfile.mkdtemp(prefix="gatehouse-load-"))
        database_url = f"sqlite:///{scratch / 'load.sqlite3'}"
    env = server_environment(args, database_url)
    os.environ.update(env)  # the seeding below runs with the server's exact settings
    server = None
    try:
        print(f"seeding {args.users} users and {args.sessions} sessions ...", flush=True)
        gatehouse, stock, sessions, logins, grants, secret = seed(args)
        from django.db import connection

        vendor = connection.vendor
        options = ["--worker-class", "gthread", "--threads", str(args.threads)] if args.threads > 1 \
            else ["--worker-class", "sync"]
        server = Gunicorn(env, workers=args.workers, name="load", options=options).start()
        address = server.address

        reads = {
            "ceiling": ("/api/bench/ceiling/", [(None, ip) for _, ip in gatehouse]),
            "me": ("/api/auth/me/", gatehouse),
            "stock me": ("/api/bench/stock/me/", stock),
        }
        results = {} if args.flood_only else {name: Phase(name) for name in [*reads, "health", "refresh", "client refresh", "login"]}
        # Warm up every worker on every route, with every credential the phases send (wrk sends the first
        # 1,000), twice per worker: as in a steady state, where a browser sends its token for its lifetime,
        # each worker has checked each token's signature and, on PostgreSQL, remembers its live session.
        for path, credentials in ([reads["me"]] if args.flood_only else reads.values()):
            sent = credentials[:1000] if args.client == "wrk" else credentials
            run_phase("warm-up", [get_job(address, path, sent) for _ in range(concurrency)],
                      seconds=30, max_requests=max(200, 2 * args.workers * len(sent)))
        for _ in range(0 if args.flood_only else args.repeat):
            for name, (path, credentials) in reads.items():
                if args.client == "wrk":
                    phase = run_wrk(name, address, path, credentials[:1000], seconds=args.seconds / args.repeat,
                                    concurrency=concurrency)
                else:
                    jobs = [get_job(address, path, credentials) for _ in range(concurrency)]
                    phase = run_phase(name, jobs, seconds=args.seconds / args.repeat, max_requests=args.max_requests)
                results[name].merge(phase)
        if vendor == "postgresql" and not args.flood_only:
            queries_per_get = database_queries_per_request(database_url, lambda: run_wrk(
                "me", address, "/api/auth/me/", gatehouse[:1000], seconds=2, concurrency=concurrency,
            ) if args.client == "wrk" else run_phase(
                "me", [get_job(address, "/api/auth/me/", gatehouse) for _ in range(concurrency)],
                seconds=2, max_requests=args.max_requests,
            ))
        memory, login_cpu = {}, 0.0
        refresh_cpu = {"refresh": 0.0, "client refresh": 0.0}
        load_refresh = None
        if not args.flood_only:
            results["health"] = run_phase(
                "health", [get_job(address, "/api/health/", [(None, "10.255.0.1")]) for _ in range(concurrency)],
                seconds=args.seconds / args.repeat, max_requests=args.max_requests,
            )
            # The browser's refresh and the client's, taking turns in slices so that a busy machine slows both
            # alike; each thread keeps its jobs (its sessions' and grants' latest tokens) across the slices.
            worker_pids = procstats.workers(server.process.pid)
            browser_jobs = [refresh_job(address, share) for share in
                            (sessions[n::concurrency] for n in range(concurrency)) if share]
            client_jobs = [client_refresh_job(address, share, secret) for share in
                           (grants[n::concurrency] for n in range(concurrency)) if share]
            for _ in range(args.repeat):
                for name, jobs in (("refresh", browser_jobs), ("client refresh", client_jobs)):
                    cpu_before = sum(procstats.cpu_seconds(pid) for pid in worker_pids)
                    phase = run_phase(name, jobs, seconds=args.seconds / args.repeat, max_requests=args.max_requests)
                    refresh_cpu[name] += sum(procstats.cpu_seconds(pid) for pid in worker_pids) - cpu_before
                    results[name].merge(phase)
            load_refresh = os.getloadavg()[0]
            cpu_before = sum(procstats.cpu_seconds(pid) for pid in worker_pids)
            results["login"] = login_phase("login", address, logins, concurrency,
                                           seconds=max(args.seconds, 10.0), max_requests=args.logins)
            login_cpu = sum(procstats.cpu_seconds(pid) for pid in worker_pids) - cpu_before
            memory = {pid: procstats.memory_kib(pid) for pid in worker_pids}
        # A login flood beside authenticated GETs, against the same GETs alone (both with this script's threads).
        flood_seconds = max(args.seconds, 10.0)
        results["me (threads)"] = run_phase(
            "me (threads)", [get_job(address, "/api/auth/me/", gatehouse) for _ in range(concurrency)],
            seconds=flood_seconds, max_requests=args.max_requests,
        )
        load_alone = os.getloadavg()[0]  # the 1-minute load average, this run's own included
        flood_result = {}
        flood = threading.Thread(target=lambda: flood_result.update(phase=login_phase(
            "login (flood)", address, logins, concurrency, seconds=flood_seconds, max_requests=args.max_requests,
            retry_after=not args.flood_ignores_retry_after,
        )), daemon=True)
        flood.start()
        results["me during login flood"] = run_phase(
            "me during login flood", [get_job(address, "/api/auth/me/", gatehouse) for _ in range(concurrency)],
            seconds=flood_seconds, max_requests=args.max_requests,
        )
        flood.join(flood_seconds + 120)
        results["login (flood)"] = flood_result.get("phase") or Phase("login (flood)", errors=["did not end"])
        load_flood = os.getloadavg()[0]
    finally:
        if server is not None:
            server.stop()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)

    cache = "Redis" if os.environ.get("REDIS_URL") else "per-process memory"
    client = "wrk for the GET phases (ceiling, me, stock me), Python threads for the rest" if args.client == "wrk" \
        else "Python threads"
    kind = f"gthread workers of {args.threads} threads" if args.threads > 1 else "sync workers"
    print(f"\ngunicorn backend.wsgi, {args.workers} {kind}, {vendor}, throttle counters in {cache}; "
          f"client: {client}, {concurrency} connections, on the same machine ({os.cpu_count()} CPUs), "
          f"one connection per request\n")
    print("| phase | requests | errors | req/s | p50 (ms) | p99 (ms) | client CPU (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for phase in results.values():
        refused = f" ({phase.refused} refused 503)" if phase.refused else ""
        print(f"| {phase.name} | {phase.count}{refused} | {len(phase.errors)} | {phase.throughput:.0f} | "
              f"{phase.percentile(0.5) * 1000:.2f} | {phase.percentile(0.99) * 1000:.2f} | {phase.client_cpu:.1f} |")
    errors = sum(len(phase.errors) for phase in results.values())
    ratio = 1.0
    if "ceiling" in results:
        ceiling = results["ceiling"].throughput
        ratio = results["me"].throughput / ceiling if ceiling else 0.0
        stock_ratio = results["stock me"].throughput / ceiling if ceiling else 0.0
        print(f"\nauthenticated GET / ceiling: gatehouse {ratio:.2f}x, stock simplejwt {stock_ratio:.2f}x "
              f"(target: gatehouse >= {TARGET_RATIO})")
    per_core = {}
    for name in ("refresh", "client refresh"):
        if results.get(name) and results[name].count and refresh_cpu[name] > 0:
            per_core[name] = results[name].count / refresh_cpu[name]
    if len(per_core) == 2:
        print(f"refresh: {per_core['refresh']:.0f} browser refreshes/s per core "
              f"({refresh_cpu['refresh'] / results['refresh'].count * 1000:.1f} ms of worker CPU each), "
              f"{per_core['client refresh']:.0f} client refreshes/s per core "
              f"({refresh_cpu['client refresh'] / results['client refresh'].count * 1000:.1f} ms each): "
              f"client / browser {per_core['client refresh'] / per_core['refresh']:.2f}x "
              f"(target: client >= {CLIENT_REFRESH_TARGET}/s per core; load average {load_refresh:.2f})")
    logins_done = results["login"].count - results["login"].refused if "login" in results else 0
    if logins_done and login_cpu > 0:
        print(f"login: {login_cpu / logins_done * 1000:.0f} ms of worker CPU each, so "
              f"{logins_done / login_cpu:.1f} logins/s per core (target: >= 15); "
              f"{results['login'].throughput:.1f} logins/s on {args.workers} workers")
    for pid, kib in memory.items():
        print(f"worker {pid}: resident {kib.get('VmRSS', 0) / 1024:.0f} MiB, peak {kib.get('VmHWM', 0) / 1024:.0f} MiB"
              " (after the login phase)")
    alone, flooded = results["me (threads)"], results["me during login flood"]
    flood = results["login (flood)"]
    if alone.count and flooded.count:
        polite = "ignoring Retry-After" if args.flood_ignores_retry_after else "waiting Retry-After when refused"
        print(f"authenticated GET p99: {alone.percentile(0.99) * 1000:.1f} ms alone (load average {load_alone:.2f}), "
              f"{flooded.percentile(0.99) * 1000:.1f} ms during a login flood (load average {load_flood:.2f}; "
              f"{flood.count - flood.refused} logins, {flood.refused} refused 503, clients {polite}): "
              f"{flooded.percentile(0.99) / alone.percentile(0.99):.2f}x (target: within 2x)")
    if vendor == "postgresql" and not args.flood_only:
        print(f"database queries per authenticated GET (pg_stat_database, a 2 s run after the phases, less the "
              f"idle rate of the listeners' heartbeats): "
              f"{queries_per_get:.3f}")
    print(f"errors: {errors}")
    for phase in results.values():
        for error in sorted(set(phase.errors))[:5]:
            print(f"  {phase.name}: {error}")
    if args.client == "python" and (os.cpu_count() or 1) <= 4:
        print("note: the Python client takes a good share of these few CPUs, more of it the faster the server "
              "answers, which flatters the ratios; wrk (apt-get install wrk) measures them more truly.")
    refresh_missed = "client refresh" in per_core and per_core["client refresh"] < CLIENT_REFRESH_TARGET
    failed = errors > 0 or (args.check and (ratio < TARGET_RATIO or refresh_missed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
