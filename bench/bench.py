"""Gatehouse against stock simplejwt, side by side, in one process.

    python -m bench.bench [--rounds N]

For login, refresh and an authenticated GET it prints the median time per
operation and the SQL statements each one runs, for both implementations and
as ratios. Runs on a fresh SQLite file, or on ``DATABASE_URL`` if set (the
tables are created there; use a scratch database).
"""
import argparse
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
from rest_framework.test import APIClient  # noqa: E402

PASSWORD = "bench password, not a secret"


class Gatehouse:
    name = "gatehouse"

    def __init__(self, username):
        self.client = APIClient()
        self.username = username
        self.access = None

    def login(self):
        response = self.client.post("/api/auth/login/", {"username": self.username, "password": PASSWORD}, format="json")
        assert response.status_code == 200, response.content
        self.access = response.json()["access"]

    def refresh(self):
        response = self.client.post("/api/auth/refresh/")
        assert response.status_code == 200, response.content
        self.access = response.json()["access"]

    def authenticated_get(self):
        response = self.client.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {self.access}")
        assert response.status_code == 200, response.content


class StockSimpleJWT:
    name = "simplejwt"

    def __init__(self, username):
        self.client = APIClient()
        self.username = username
        self.access = self.refresh_token = None

    def login(self):
        response = self.client.post("/bench/stock/login/", {"username": self.username, "password": PASSWORD}, format="json")
        assert response.status_code == 200, response.content
        self.access, self.refresh_token = response.json()["access"], response.json()["refresh"]

    def refresh(self):
        response = self.client.post("/bench/stock/refresh/", {"refresh": self.refresh_token}, format="json")
        assert response.status_code == 200, response.content
        self.access, self.refresh_token = response.json()["access"], response.json()["refresh"]

    def authenticated_get(self):
        response = self.client.get("/bench/stock/me/", HTTP_AUTHORIZATION=f"Bearer {self.access}")
        assert response.status_code == 200, response.content


OPERATIONS = ["login", "refresh", "authenticated_get"]


def measure(side, operation, rounds):
    """Median seconds per call, and the statements one call runs."""
    call = getattr(side, operation)
    call()  # warm up (and, for login, have tokens ready)
    statements = []
    with connection.execute_wrapper(lambda execute, sql, *rest: statements.append(sql) or execute(sql, *rest)):
        call()
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), len(statements)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args(argv)

    call_command("migrate", verbosity=0)
    User = get_user_model()
    for username in ("bench-gatehouse", "bench-stock"):
        User.objects.filter(username=username).delete()
        User.objects.create_user(username=username, password=PASSWORD)
    sides = [Gatehouse("bench-gatehouse"), StockSimpleJWT("bench-stock")]
    vendor = connection.vendor
    print(f"Gatehouse vs stock simplejwt (ROTATE_REFRESH_TOKENS + BLACKLIST_AFTER_ROTATION), "
          f"{vendor}, in-process test client, median of {args.rounds} rounds, same MD5 hasher on both sides\n")
    header = f"{'operation':<18} {'gatehouse':>12} {'simplejwt':>12} {'speed-up':>9}   {'queries':>8} {'queries':>9}"
    print(header)
    print(f"{'':<18} {'(ms)':>12} {'(ms)':>12} {'(x)':>9}   {'gatehouse':>8} {'simplejwt':>9}")
    for operation in OPERATIONS:
        (ours, our_queries), (stock, stock_queries) = (measure(side, operation, args.rounds) for side in sides)
        print(f"{operation:<18} {ours * 1000:>12.3f} {stock * 1000:>12.3f} {stock / ours:>9.2f}   "
              f"{our_queries:>8} {stock_queries:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
