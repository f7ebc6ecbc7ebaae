"""A provider sign-in's own cost at the callback, beside a password login with the production hasher.

    python -m bench.federation [--rounds N] [--check]

The callback (``GET /api/auth/federation/<slug>/callback/``, through the
test client) of a returning user: the state looked up and used up, the code
exchanged, the ID token validated against the provider's keys (cached, as
between two sign-ins on a running server), the identity and its account
looked up, the gate, the session started and recorded for back-channel
logout. The provider's side is left out: its token endpoint answers
in-process (a transport adapter hands back a token response signed before
the timer starts), so no network and no signing are timed. Beside it, in
the same run and alternating round by round, a password login with Argon2id
(``/api/auth/login/``), and one with the bench's fast hasher (the login's
own work without the hash: the yardstick that does not move with the
hasher). The target: the callback under 5 ms (median).

Runs on a fresh SQLite file, or on ``DATABASE_URL`` if set (the tables are
created there; use a scratch database). ``--check`` exits 1 when the target is missed.
"""
import argparse
import gc
import json
import os
import statistics
import sys
import time
from urllib.parse import parse_qs, urlsplit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from joserfc import jwt  # noqa: E402
from joserfc.jwk import RSAKey  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.federation import flows, metadata  # noqa: E402
from accounts.federation.models import FederationState, Provider  # noqa: E402
from bench.bench import ARGON2, Addresses, Gatehouse, bench_users, is_transaction_control  # noqa: E402

ISSUER = "https://idp.bench.invalid"
CLIENT_ID = "gatehouse-bench"
TARGET_MS = 5.0


class InProcessProvider(requests.adapters.BaseAdapter):
    """The provider's token endpoint, answered in this process with the next prepared token response."""

    def __init__(self):
        super().__init__()
        self.next_body = None

    def send(self, request, **kwargs):
        response = requests.Response()
        response.status_code = 200
        response.headers["Content-Type"] = "application/json"
        response._content = self.next_body
        response.url, response.request = request.url, request
        return response

    def close(self):
        pass


class ProviderSignIn:
    """A returning user's sign-in through an OpenID provider; ``callback`` is what is timed."""

    name = "callback"

    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "bench-1", "use": "sig", "alg": "RS256"})
        self.doc = {
            "issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/auth", "token_endpoint": f"{ISSUER}/token",
            "jwks_uri": f"{ISSUER}/jwks", "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }
        served = {f"{ISSUER}/.well-known/openid-configuration": self.doc,
                  f"{ISSUER}/jwks": {"keys": [self.key.as_dict(private=False)]}}
        metadata.forget()
        metadata._fetch_json = served.__getitem__  # fetched once, then from the cache (FEDERATION_METADATA_TTL)
        self.adapter = InProcessProvider()
        original = flows._oauth_client

        def oauth_client(*args, **kwargs):
            session = original(*args, **kwargs)
            session.mount(ISSUER, self.adapter)
            return session

        flows._oauth_client = oauth_client
        Provider.objects.filter(slug="bench").delete()
        provider = Provider(slug="bench", name="Bench ID", kind="oidc", client_id=CLIENT_ID, issuer=ISSUER)
        provider.set_client_secret("bench secret, not a secret")
        provider.save()
        self.addresses = Addresses("10.3")
        self.params = self.client = None

    def prepare(self):
        """Not timed: the start (a new browser), and the provider's answer to it, signed."""
        self.client = APIClient()
        started = self.client.post("/api/auth/federation/bench/start/", {"intent": "login"}, format="json",
                                   **self.addresses.next())
        assert started.status_code == 200, started.content
        state = parse_qs(urlsplit(started.json()["authorization_url"]).query)["state"][0]
        nonce = FederationState.objects.get(state=state).nonce
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "bench-person", "iat": now, "exp": now + 300,
                  "nonce": nonce, "sid": f"sid-{state[:8]}", "email": "bench.person@example.com",
                  "email_verified": True, "name": "Bench Person"}
        id_token = jwt.encode({"alg": "RS256", "kid": "bench-1"}, claims, self.key)
        self.adapter.next_body = json.dumps(
            {"access_token": "bench-access", "token_type": "Bearer", "expires_in": 300, "id_token": id_token}
        ).encode()
        self.params = {"code": "bench-code", "state": state}

    def callback(self):
        response = self.client.get("/api/auth/federation/bench/callback/", self.params, **self.addresses.next())
        assert response.status_code == 302 and response["Location"] == "/", (response.status_code,
                                                                            response.get("Location"))
        assert response.cookies["refresh_token"].value


def statements_of(call):
    with CaptureQueriesContext(connection) as captured:
        call()
    return [q["sql"] for q in captured.captured_queries if not is_transaction_control(q["sql"])]


def run(rounds, warm_up=5):
    call_command("migrate", verbosity=0)
    fast_side = bench_users("-fed-fast")[0]  # the bench's fast hasher: the login's own work without hashing
    fast_side.login()
    with override_settings(PASSWORD_HASHERS=ARGON2):
        argon2_side = bench_users("-fed-argon2")[0]
        assert isinstance(argon2_side, Gatehouse)
        argon2_side.login()  # its device is known from now on
        federated = ProviderSignIn()
        for _ in range(warm_up):  # the first makes the account; the keys and metadata are cached after it
            federated.prepare()
            federated.callback()
        federated.prepare()
        calls = {"callback": federated.callback, "login_argon2id": argon2_side.login}
        counts = {name: len(statements_of(call)) for name, call in calls.items()}
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            calls["login_fast_hasher"] = fast_side.login
            counts["login_fast_hasher"] = len(statements_of(fast_side.login))
            times = {name: [] for name in calls}
            gc.collect()
            for round_number in range(rounds):
                federated.prepare()
                order = list(calls) if round_number % 2 == 0 else list(reversed(calls))
                for operation in order:
                    hashers = ARGON2 if operation == "login_argon2id" else None
                    with override_settings(PASSWORD_HASHERS=hashers) if hashers else _nothing():
                        started = time.perf_counter()
                        calls[operation]()
                        times[operation].append(time.perf_counter() - started)
    return {op: {"ms": statistics.median(t) * 1000, "p90": _quantile(t, 0.9) * 1000, "statements": counts[op]}
            for op, t in times.items()}


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _quantile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(results, rounds):
    callback, argon2, fast = results["callback"], results["login_argon2id"], results["login_fast_hasher"]
    print(f"A provider sign-in's callback vs a password login, {connection.vendor}, in-process test client, "
          f"median of {rounds} alternating rounds; the provider's token endpoint answers in-process\n")
    print("| operation | median (ms) | p90 (ms) | statements | callback vs this |")
    print("|---|---:|---:|---:|---:|")
    rows = [
        ("provider callback (state, code exchange, ID token with cached keys, account, session)", callback),
        ("password login, Argon2id (the production hasher)", argon2),
        ("password login, fast hasher (the login's own work)", fast),
    ]
    for label, row in rows:
        print(f"| {label} | {row['ms']:.3f} | {row['p90']:.3f} | {row['statements']} "
              f"| {callback['ms'] / row['ms']:.2f}x |")
    met = callback["ms"] < TARGET_MS
    print(f"\ntargets:\n  [{'met' if met else 'MISSED'}] provider callback under {TARGET_MS:g} ms "
          f"({callback['ms']:.2f} ms)")
    return met


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    met = report(run(args.rounds), args.rounds)
    return 0 if met or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
