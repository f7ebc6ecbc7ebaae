"""A federated user signs in to an application through Gatehouse, in Chromium, with both OpenID peers real.

Gatehouse sits between two parties here: for the application (authlib's
client, as in ``test_openid_provider``) it is the OpenID Provider; for the
user's sign-in it is itself a relying party of another provider (panva's
oidc-provider on loopback, ``tests/federation/peers.py``). The application
sends the user to Gatehouse's authorize page, the user chooses "Continue with
Acme ID" on the login page it leads to, signs in at Acme, consents, and the
application's ID token says how: ``amr`` ``["fed"]``.
"""
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.jose import JsonWebKey, jwt
from playwright.sync_api import expect

from accounts.federation.models import Identity
from accounts.models import RefreshSession
from tests.browser.conftest import screenshots
from tests.browser.test_openid_provider import application_page, client_session, start
from tests.browser.test_openid_provider import provider as provider  # noqa: PLC0414 (the fixture, by its name)
from tests.federation.peers import new_client, register, start_provider

CALLBACK = re.compile(r"^http://127\.0\.0\.1:8765/callback\?")


@pytest.fixture(scope="module")
def acme_peer(live_server):
    client = new_client(redirect_uris=[f"{live_server.url}/api/auth/federation/acme/callback/"])
    running = start_provider(clients=[client], accounts={
        "dana-at-acme": {"email": "dana.acme@example.com", "email_verified": True},
    })
    yield running
    running.stop()


@pytest.fixture
def acme(db, acme_peer):
    return register(running=acme_peer, client=acme_peer.clients[0], slug="acme", name="Acme ID")


def test_a_federated_user_signs_in_to_an_application(page, provider, acme, artifacts):
    application_page(page)
    session = client_session("openid profile")
    url, state, verifier = start(session, provider)
    page.goto(url)

    # Not signed in: Gatehouse's login page, with the provider's button; the request waits behind it.
    button = page.locator('[data-testid="provider-button"][data-provider="acme"]')
    expect(button).to_be_visible()
    button.click()
    # The provider's own (development) login screen, on its own origin.
    login = page.locator('input[name="login"]')
    expect(login).to_be_visible()
    assert page.url.startswith(acme.issuer)
    login.fill("dana-at-acme")
    page.locator('input[name="password"]').fill("any password")
    page.locator('button[type="submit"]').click()

    # Back at Gatehouse, signed in as the new account, and on to the application's consent page.
    consent = page.get_by_test_id("consent-form")
    expect(consent).to_be_visible(timeout=20_000)
    expect(consent).to_contain_text("Team Notes")
    screenshots(page, artifacts, "oidc-federated-consent")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_test_id("consent-allow").click()
    page.wait_for_url(CALLBACK, timeout=20_000)
    params = {key: values[0] for key, values in parse_qs(urlsplit(page.url).query).items()}
    assert params["state"] == state and params["iss"] == provider and "code" in params

    token = session.fetch_token(f"{provider}/oauth/token/", authorization_response=page.url, code_verifier=verifier)
    jwks = JsonWebKey.import_key_set(requests.get(f"{provider}/.well-known/jwks.json", timeout=10).json())
    claims = jwt.decode(token["id_token"], jwks, claims_options={
        "iss": {"essential": True, "value": provider}, "aud": {"essential": True, "value": "notes"},
        "nonce": {"essential": True, "value": "nonce-123"}})
    claims.validate()
    identity = Identity.objects.select_related("user").get()
    assert claims["sub"] == str(identity.user.pk)
    assert claims["amr"] == ["fed"]
    # The grant is a session of that account, opened from the federated sign-in.
    grant = RefreshSession.objects.get(pk=claims["sid"])
    assert grant.user == identity.user and grant.amr.split() == ["fed"]
