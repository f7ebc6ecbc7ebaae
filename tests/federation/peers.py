"""A real OpenID Provider for the tests: ``tests/peers/provider.mjs`` (panva's oidc-provider) on loopback.

``start_provider(...)`` runs it on a free port with the given clients and
waits until its discovery document answers; ``stop()`` ends it. The
pytest fixtures below start one per test module and register it as a
``Provider`` row. ``sign_in_at_provider`` plays the browser at the
provider's development login screen (any name, any password) with plain
HTTP, for the tests that do not need Chromium.
"""
import dataclasses
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

PEERS = Path(__file__).resolve().parents[1] / "peers"
SCRIPT = PEERS / "provider.mjs"
STARTUP_TIMEOUT = 30.0


@dataclasses.dataclass
class RunningProvider:
    issuer: str
    port: int
    process: subprocess.Popen
    clients: list

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def discovery(self) -> dict:
        return requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=5).json()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_provider(*, clients, accounts=None, port=None) -> RunningProvider:
    """Start the provider; fails (not skips) when Node or ``make peers`` is missing, saying what to do."""
    node = shutil.which("node")
    if node is None or not (PEERS / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError("The OpenID peers are not installed: run `make peers` (Node.js 20+ and npm needed).")
    port = port or free_port()
    config = {"port": port, "clients": clients, "accounts": accounts or {}}
    process = subprocess.Popen(
        [node, str(SCRIPT), json.dumps(config)], cwd=PEERS, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env={**os.environ, "NODE_ENV": "test"},
    )
    running = RunningProvider(issuer=f"http://127.0.0.1:{port}", port=port, process=process, clients=clients)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace")
            raise RuntimeError(f"the test provider exited ({process.returncode}):\n{output}")
        try:
            if requests.get(f"{running.issuer}/.well-known/openid-configuration", timeout=2).status_code == 200:
                return running
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            running.stop()
            raise RuntimeError(f"the test provider did not answer within {STARTUP_TIMEOUT} s")
        time.sleep(0.1)


def new_client(*, redirect_uris, **extra) -> dict:
    return {
        "client_id": f"gatehouse-{secrets.token_hex(4)}", "client_secret": secrets.token_urlsafe(32),
        "redirect_uris": list(redirect_uris), **extra,
    }


def register(*, running, client, slug="acme", name="Acme ID", **options):
    """The ``Provider`` row for ``client`` at ``running`` (as ``manage.py provider set`` makes it)."""
    from accounts.federation import metadata
    from accounts.federation.models import Provider

    metadata.forget()
    provider = Provider.objects.filter(slug=slug).first() or Provider(slug=slug)
    provider.name, provider.kind, provider.client_id = name, options.pop("kind", "oidc"), client["client_id"]
    provider.issuer = running.issuer
    for key, value in options.items():
        setattr(provider, key, value)
    provider.set_client_secret(client.get("client_secret", ""))
    provider.save()
    return provider


def sign_in_at_provider(authorization_url, *, login, browser=None) -> tuple[dict, requests.Session]:
    """Follow ``authorization_url`` through the provider's login screen as ``login``; the callback's parameters.

    Stops at the first redirect that leaves the provider (to our callback),
    without following it. ``browser``: a session that signed in before (the
    provider's own cookies), for a second sign-in without the form.
    """
    browser = browser or requests.Session()
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(authorization_url))
    url = authorization_url
    for _ in range(12):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 200 and "<form" in response.text:
            form = response.text.split("<form", 1)[1].split("</form>", 1)[0]
            action = form.split('action="', 1)[1].split('"', 1)[0]
            data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
            if 'name="login"' in form:
                data.update(login=login, password="any")
            response = browser.post(urljoin(url, action), data=data, allow_redirects=False, timeout=10)
        if response.status_code not in (302, 303):
            raise AssertionError(f"the provider answered {response.status_code}: {response.text[:500]}")
        url = urljoin(url, response.headers["Location"])
        if not url.startswith(origin):
            return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}, browser
    raise AssertionError("too many redirects at the provider")
