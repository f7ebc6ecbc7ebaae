"""Gatehouse against stock simplejwt, side by side, in one process.

    python -m bench.bench [--rounds N] [--check]

For login, refresh and an authenticated GET (a token used again, as a
browser does until it expires, and a token's first use in the process) it
prints the median time per operation and the SQL statements one call runs
(counted as the query-budget tests count them: transaction control left
out), for both implementations and as ratios, then the targets. The two
sides run alternately, round by round, so that a busy machine slows both
alike. Both sides use the same fast hasher, so that hashing is out of the
comparison; the login is also timed with the production hasher (Argon2id,
``--argon2-rounds``), where its target is.

Runs on a fresh SQLite file, or on ``DATABASE_URL`` if set (the tables are
created there; use a scratch database). ``--check`` exits 1 when a target is
missed.
"""
import argparse
import gc
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
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.sessions.verified_tokens import verified_tokens  # noqa: E402

PASSWORD = "bench password, not a secret"


class Addresses:
    """A new client address for every request.

    Each request comes from its own address, as on a server with many clients:
    the per-IP throttle histories stay as short as in production instead of
    growing by one entry per round (the rates are lifted, the checks still run).
    """

    def __init__(self, prefix):
        self.prefix, self.count = prefix, 0

    def next(self):
        self.count += 1
        return {"REMOTE_ADDR": f"{self.prefix}.{(self.count >> 8) & 255}.{self.count & 255}"}


class Gatehouse:
    name = "gatehouse"

    def __init__(self, username):
        self.client = APIClient()
        self.username = username
        self.access = None
        self.addresses = Addresses("10.1")

    def login(self):
        credentials = {"username": self.username, "password": PASSWORD}
        response = self.client.post("/api/auth/login/", credentials, format="json", **self.addresses.next())
        assert response.status_code == 200, response.content
        self.access = response.json()["access"]

    def refresh(self):
        response = self.client.post("/api/auth/refresh/", **self.addresses.next())
        assert response.status_code == 200, response.content
        self.access = response.json()["access"]

    def authenticated_get(self):
        response = self.client.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {self.access}", **self.addresses.next())
        assert response.status_code == 200, response.content

    def authenticated_get_first_use(self):
        """As a token's first request in this process: its signature is checked in full."""
        verified_tokens.clear()
        self.authenticated_get()


class StockSimpleJWT:
    name = "simplejwt"

    def __init__(self, username):
        self.client = APIClient()
        self.username = username
        self.access = self.refresh_token = None
        self.addresses = Addresses("10.2")

    def login(self):
        credentials = {"username": self.username, "password": PASSWORD}
        response = self.client.post("/api/bench/stock/login/", credentials, format="json", **self.addresses.next())
        assert response.status_code == 200, response.content
        self.access, self.refresh_token = response.json()["access"], response.json()["refresh"]

    def refresh(self):
        response = self.client.post(
            "/api/bench/stock/refresh/", {"refresh": self.refresh_token}, format="json", **self.addresses.next()
        )
        assert response.status_code == 200, response.content
        self.access, self.refresh_token = response.json()["access"], response.json()["refresh"]

    def authenticated_get(self):
        bearer = f"Bearer {self.access}"
        response = self.client.get("/api/bench/stock/me/", HTTP_AUTHORIZATION=bearer, **self.addresses.next())
        assert response.status_code == 200, response.content

    def authenticated_get_first_use(self):
        self.authenticated_get()  # stock simplejwt checks every token in full every time


# authenticated_get repeats one token, as a browser does for the token's
# lifetime; authenticated_get_first_use is each token's first request.
OPERATIONS = ["login", "refresh", "authenticated_get", "authenticated_get_first_use"]


ARGON2 = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def statements(side, operation):
    """The SQL statements one call runs that read or write (transaction control left out, as in the budget tests)."""
    with CaptureQueriesContext(connection) as captured:
        getattr(side, operation)()
    return [query["sql"] for query in captured.captured_queries if not is_transaction_control(query["sql"])]


def is_transaction_control(sql):
    return sql.strip().upper().startswith(TRANSACTION_CONTROL)


def timed_rounds(sides, operation, rounds, warm_up=20):
    """Median seconds per call for each side, the sides taking turns call by call."""
    calls = [getattr(side, operation) for side in sides]
    for call in calls:
        for _ in range(warm_up):
            call()
    timings = [[] for _ in sides]
    gc.collect()
    for round_number in range(rounds):
        # ABBA order: neither side always runs right after the other.
        order = range(len(sides)) if round_number % 2 == 0 else reversed(range(len(sides)))
        for index in order:
            started = time.perf_counter()
            calls[index]()
            timings[index].append(time.perf_counter() - started)
    return [statistics.median(times) for times in timings]


def bench_users(suffix=""):
    User = get_user_model()
    names = [f"bench-gatehouse{suffix}", f"bench-stock{suffix}"]
    for username in names:
        User.objects.filter(username=username).delete()
        User.objects.create_user(username=username, password=PASSWORD)
    return [Gatehouse(names[0]), StockSimpleJWT(names[1])]


def run(rounds, argon2_rounds):
    call_command("migrate", verbosity=0)
    sides = bench_users()
    for side in sides:
        side.login()  # tokens ready for refresh and the authenticated GET
    results = {}
    for operation in OPERATIONS:
        counts = [len(statements(side, operation)) for side in sides]
        medians = timed_rounds(sides, operation, rounds)
        results[operation] = {"ms": [m * 1000 for m in medians], "statements": counts}
    if argon2_rounds:
        with override_settings(PASSWORD_HASHERS=ARGON2):
            sides = bench_users("-argon2")
            for side in sides:
                side.login()  # its device is known from now on, as for the fast-hasher login
            counts = [len(statements(side, "login")) for side in sides]
            medians = timed_rounds(sides, "login", argon2_rounds, warm_up=3)
        results["login_argon2id"] = {"ms": [m * 1000 for m in medians], "statements": counts}
    return results


def targets(results):
    """The issue's targets: (description, met?)."""
    refresh, get = results["refresh"], results["authenticated_get"]
    speed_up = {op: r["ms"][1] / r["ms"][0] for op, r in results.items()}
    outcome = [
        (f"refresh: 2 statements, a locked read and an update ({refresh['statements'][0]})",
         refresh["statements"][0] == 2),
        (f"refresh: at least 2x faster than stock ({speed_up['refresh']:.2f}x)", speed_up["refresh"] >= 2),
        (f"authenticated request: at most 1 statement ({get['statements'][0]})", get["statements"][0] <= 1),
    ]
    if "login_argon2id" in speed_up:
        outcome.append((f"login with Argon2id: within 5 % of stock ({speed_up['login_argon2id']:.3f}x)",
                        speed_up["login_argon2id"] >= 0.95))
    return outcome


def report(results, rounds):
    print(f"Gatehouse vs stock simplejwt (ROTATE_REFRESH_TOKENS + BLACKLIST_AFTER_ROTATION), "
          f"{connection.vendor}, in-process test client, median of {rounds} alternating rounds, "
          f"same hasher on both sides (MD5; Argon2id on the login_argon2id row)\n")
    print("| operation | gatehouse (ms) | simplejwt (ms) | speed-up (x) "
          "| statements gatehouse | statements simplejwt |")
    print("|---|---:|---:|---:|---:|---:|")
    for operation, result in results.items():
        (ours, stock), (our_count, stock_count) = result["ms"], result["statements"]
        print(f"| {operation} | {ours:.3f} | {stock:.3f} | {stock / ours:.2f} | {our_count} | {stock_count} |")
    print("\ntargets:")
    outcome = targets(results)
    for description, met in outcome:
        print(f"  [{'met' if met else 'MISSED'}] {description}")
    return all(met for _, met in outcome)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--argon2-rounds", type=int, default=60, help="logins with Argon2id (0: none)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--show-sql", action="store_true", help="print the statements of each operation")
    args = parser.parse_args(argv)
    results = run(args.rounds, args.argon2_rounds)
    if args.show_sql:
        sides = [Gatehouse("bench-gatehouse"), StockSimpleJWT("bench-stock")]
        for side in sides:
            side.login()
            for operation in OPERATIONS:
                print(f"-- {side.name} {operation}")
                for sql in statements(side, operation):
                    print("   ", sql[:160])
        print()
    all_met = report(results, args.rounds)
    return 0 if all_met or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
