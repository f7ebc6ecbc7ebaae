"""Timing of the password-reset request for a known and an unknown address.

    python -m bench.reset_timing [--rounds 50]

The request must not tell, by its timing, whether an account has the
address. This prints the median (and p90) time of ``POST
/api/auth/password-reset/`` for an address that has an active account and
one that has none, alternating request by request, in one process with
Django's test client (rate limits lifted, their checks still run; mail is
queued, not delivered). Runs on a scratch SQLite file, or on
``DATABASE_URL`` (use a scratch database).
"""
import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")
os.environ.setdefault("EMAIL_URL", "smtp://127.0.0.1:9")  # queued only: the sender is off
os.environ["MAIL_SENDER_THREAD"] = "0"
os.environ.setdefault("PASSWORD_RESET_RATE_PER_ADDRESS", "1000000/min")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    get_user_model().objects.filter(username="reset-bench").delete()
    get_user_model().objects.create_user(username="reset-bench", email="reset-bench@example.com", password="x" * 12)
    client = APIClient()
    times = {"known": [], "unknown": []}
    addresses = {"known": "reset-bench@example.com", "unknown": "nobody-here@example.com"}
    for warm in range(5):  # warm both paths up (templates, connections)
        for kind in times:
            client.post("/api/auth/password-reset/", {"email": addresses[kind]}, format="json",
                        REMOTE_ADDR=f"10.9.0.{warm}")
    for number in range(args.rounds):
        for kind in (("known", "unknown") if number % 2 else ("unknown", "known")):
            started = time.perf_counter()
            response = client.post("/api/auth/password-reset/", {"email": addresses[kind]}, format="json",
                                   REMOTE_ADDR=f"10.{number >> 8 & 255}.{number & 255}.{1 if kind == 'known' else 2}")
            times[kind].append(time.perf_counter() - started)
            assert response.status_code == 202, response.content
    for kind, samples in times.items():
        samples.sort()
        print(f"{kind:8} median {statistics.median(samples) * 1000:.2f} ms, "
              f"p90 {samples[int(len(samples) * 0.9)] * 1000:.2f} ms ({len(samples)} requests)")


if __name__ == "__main__":
    main()
