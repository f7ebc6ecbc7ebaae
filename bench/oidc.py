"""Gatehouse as an OpenID Provider: the token endpoint against the browser's own refresh, in one process.

    python -m bench.oidc [--rounds N] [--check]

Three operations, taking turns call by call (ABBA), each the median of
``--rounds``: the browser's refresh (``POST /api/auth/refresh/``, the cookie),
a client's refresh (``POST /oauth/token/``, ``grant_type=refresh_token``,
a confidential client with HTTP Basic), and a client's code exchange
(``grant_type=authorization_code`` with PKCE; each round's code is issued
beforehand, outside the timing). Prints the SQL statements one call runs.
Target: a client's refresh within 1.5x of a browser refresh.

Runs on a fresh SQLite file, or on ``DATABASE_URL`` if set (a scratch database).
"""
import argparse
import base64
import hashlib
import os
import secrets
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings
from rest_framework.test import APIClient

from accounts.models import RefreshSession
from accounts.oidc_provider import clients, flows, requests
from bench.bench import PASSWORD, Addresses, statements, timed_rounds

SECRET = "bench-client-secret-" + "b" * 30
REDIRECT = "https://app.example/callback"


class Browser:
    name = "browser refresh"

    def __init__(self, username):
        self.client = APIClient()
        self.addresses = Addresses("10.3")
        response = self.client.post("/api/auth/login/", {"username": username, "password": PASSWORD}, format="json",
                                    **self.addresses.next())
        assert response.status_code == 200, response.content
        self.session = RefreshSession.objects.get(pk=_sid(response.json()["access"]))

    def refresh(self):
        response = self.client.post("/api/auth/refresh/", **self.addresses.next())
        assert response.status_code == 200, response.content


class Application:
    """A confidential client: its refresh token rotates each call; codes issued ahead for the exchange."""

    def __init__(self, browser, user):
        self.client = APIClient()
        self.addresses = Addresses("10.4")
        self.basic = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"bench-app:{SECRET}".encode()).decode()}
        self.browser, self.user = browser, user
        self.codes = []
        self.refresh_token = self._exchange(*self._code())["refresh_token"]

    def _code(self):
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        request = requests.AuthorizationRequest(
            client_id="bench-app", redirect_uri=REDIRECT, scopes="openid profile offline_access", state="s",
            nonce="n", code_challenge=challenge, prompt="", max_age=None, acr_requested=False, issued_at=0,
        )
        self.browser.session.refresh_from_db()
        location = flows.allow(request=request, client=clients.active_client("bench-app"), user=self.user,
                               session=self.browser.session, consented=False)
        return location.split("code=", 1)[1].split("&", 1)[0], verifier

    def prepare_codes(self, count):
        self.codes = [self._code() for _ in range(count)]

    def _exchange(self, code, verifier):
        response = self.client.post("/oauth/token/", {
            "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier,
        }, **self.basic, **self.addresses.next())
        assert response.status_code == 200, response.content
        return response.json()

    def refresh(self):
        response = self.client.post("/oauth/token/", {"grant_type": "refresh_token",
                                                      "refresh_token": self.refresh_token},
                                    **self.basic, **self.addresses.next())
        assert response.status_code == 200, response.content
        self.refresh_token = response.json()["refresh_token"]

    def exchange(self):
        self._exchange(*self.codes.pop())


class _Op:
    """One side of the comparison, as ``timed_rounds`` wants it: ``run()``."""

    def __init__(self, name, call):
        self.name, self.run = name, call


def _sid(access):
    import json

    payload = access.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sid"]


def _signing_settings():
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    jwt = {**settings.GATEHOUSE["JWT"], "ALGORITHM": "ES256", "PRIVATE_KEY": pem,
           "ISSUER": "https://gatehouse.bench.example"}
    return {**settings.GATEHOUSE, "JWT": jwt, "OAUTH_TOKEN_RATE_PER_MINUTE": 10**9}


def run(rounds):
    call_command("migrate", verbosity=0)
    User = get_user_model()
    User.objects.filter(username="bench-oidc").delete()
    user = User.objects.create_user(username="bench-oidc", password=PASSWORD)
    clients.set_client("bench-app", clients.ClientSettings(redirect_uris=[REDIRECT], name="Bench", secret=SECRET,
                                                            trusted=True))
    browser = Browser("bench-oidc")
    app = Application(browser, user)
    warm_up = 20
    app.prepare_codes(rounds + warm_up + 1)
    ops = [_Op("browser", browser.refresh), _Op("client", app.refresh), _Op("exchange", app.exchange)]
    counts = [len(statements(op, "run")) for op in ops]
    medians = timed_rounds(ops, "run", rounds, warm_up=warm_up)
    return {op.name: {"ms": median * 1000, "statements": count} for op, median, count in zip(ops, medians, counts)}


def report(results, rounds):
    print(f"OpenID Provider token endpoint vs the browser's refresh, {connection.vendor}, in-process test client, "
          f"median of {rounds} alternating rounds\n")
    print("| operation | ms | vs browser refresh | statements |")
    print("|---|---:|---:|---:|")
    base = results["browser"]["ms"]
    names = {"browser": "browser refresh (/api/auth/refresh/)", "client": "client refresh (/oauth/token/)",
             "exchange": "code exchange with PKCE (/oauth/token/)"}
    for key, result in results.items():
        print(f"| {names[key]} | {result['ms']:.3f} | {result['ms'] / base:.2f}x | {result['statements']} |")
    ratio = results["client"]["ms"] / base
    met = ratio <= 1.5
    print(f"\ntargets:\n  [{'met' if met else 'MISSED'}] client refresh within 1.5x of a browser refresh "
          f"({ratio:.2f}x)")
    return met


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    with override_settings(GATEHOUSE=_signing_settings()):
        results = run(args.rounds)
        met = report(results, args.rounds)
    return 0 if met or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
