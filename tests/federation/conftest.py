"""Fixtures for sign-in with other identity providers: the real provider per module, and helpers for the flow."""
from urllib.parse import parse_qs, urlsplit

import pytest

from accounts.federation import metadata
from tests.federation.peers import (
    new_client,
    register,
    sign_in_at_provider,
    start_provider,
)

CALLBACK = "http://testserver/api/auth/federation/{slug}/callback/"
SITE = "https://gatehouse.test"  # SITE_URL where a test needs mail links
SITE_CALLBACK = SITE + "/api/auth/federation/{slug}/callback/"


@pytest.fixture(scope="module")
def real_provider():
    """panva's oidc-provider on loopback with one confidential client for ``acme`` and one for ``other``."""
    clients = [
        new_client(redirect_uris=[CALLBACK.format(slug="acme"), SITE_CALLBACK.format(slug="acme")]),
        new_client(redirect_uris=[CALLBACK.format(slug="other")]),
    ]
    running = start_provider(
        clients=clients,
        accounts={
            # Claims alice's address without the provider having verified it.
            "mallory": {"email": "alice@example.com", "email_verified": False},
            # The real alice at the provider: the same address, verified.
            "alice-at-acme": {"email": "alice@example.com", "email_verified": True},
            "dave": {"email": "dave@example.com", "email_verified": False},
        },
    )
    yield running
    running.stop()


@pytest.fixture
def acme(db, real_provider):
    provider = register(running=real_provider, client=real_provider.clients[0], slug="acme", name="Acme ID")
    yield provider
    metadata.forget()


class Flow:
    """A browser going through a provider sign-in: start, the provider's screen, the callback."""

    def __init__(self, client, slug="acme"):
        self.client, self.slug = client, slug

    def start(self, intent="login", next_path=None, **headers):
        body = {"intent": intent}
        if next_path is not None:
            body["next"] = next_path
        response = self.client.post(f"/api/auth/federation/{self.slug}/start/", body, format="json", **headers)
        assert response.status_code == 200, response.content
        self.authorization_url = response.json()["authorization_url"]
        return response

    @property
    def sent_state(self):
        return parse_qs(urlsplit(self.authorization_url).query)["state"][0]

    def at_provider(self, login="carol"):
        self.params, _ = sign_in_at_provider(self.authorization_url, login=login)
        return self.params

    def callback(self, params=None, slug=None):
        params = self.params if params is None else params
        return self.client.get(f"/api/auth/federation/{slug or self.slug}/callback/", params)

    def through(self, login="carol", intent="login", next_path=None, **headers):
        self.start(intent=intent, next_path=next_path, **headers)
        self.at_provider(login)
        return self.callback()


@pytest.fixture
def flow(client):
    return Flow(client)


@pytest.fixture
def other(db, real_provider):
    """A second provider (its own client at the same issuer): an answer for one must not finish the other's."""
    return register(running=real_provider, client=real_provider.clients[1], slug="other", name="Other ID")


def error_of(response):
    assert response.status_code == 302, response.content
    return parse_qs(urlsplit(response["Location"]).query).get("error", [None])[0]
