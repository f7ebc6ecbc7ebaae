"""Back-channel logout from the real provider: signing out at oidc-provider ends the Gatehouse session.

Over HTTP, end to end: a browser (a requests session) signs in through the
provider to a live Gatehouse server; then it signs out at the provider
(``/session/end``, the provider's own confirmation form), and the provider
posts its logout token to our back-channel logout URI, as it would in
production. The Gatehouse session must then be refused, its access token and
its refresh token, and a session of the same person opened with a password
must stay.
"""
import re
from urllib.parse import urljoin

import pytest
import requests

from accounts.federation import metadata
from accounts.federation.models import FederatedSignIn, UsedLogoutToken
from accounts.models import RefreshSession, RevocationReason
from tests.conftest import wait_until
from tests.federation.peers import (
    new_client,
    register,
    sign_in_at_provider,
    start_provider,
)

pytestmark = pytest.mark.django_db(transaction=True)

SLUG = "idp"


@pytest.fixture(scope="module")
def site(live_server):
    """The live server by its address: Python's cookie jar keeps no cookie of a dotless host such as localhost."""
    return live_server.url.replace("://localhost:", "://127.0.0.1:")


@pytest.fixture(scope="module")
def provider_with_logout(site):
    client = new_client(
        redirect_uris=[f"{site}/api/auth/federation/{SLUG}/callback/"],
        backchannel_logout_uri=f"{site}/api/auth/federation/{SLUG}/backchannel-logout/",
    )
    running = start_provider(clients=[client])
    yield running
    running.stop()


@pytest.fixture
def idp(provider_with_logout, settings, site):
    settings.SITE_URL = site
    # Plain HTTP on loopback: the cookies must travel without TLS (a browser makes that exception for localhost).
    settings.GATEHOUSE = {**settings.GATEHOUSE, "REFRESH_COOKIE_SECURE": False}
    provider = register(running=provider_with_logout, client=provider_with_logout.clients[0], slug=SLUG, name="IdP")
    yield provider
    metadata.forget()


def sign_in_through_provider(site, login):
    """A browser's sign-in through the provider: our browser session, its access token, the provider's browser."""
    browser = requests.Session()
    started = browser.post(
        f"{site}/api/auth/federation/{SLUG}/start/", json={"intent": "login"},
        headers={"Origin": site}, timeout=10,
    )
    assert started.status_code == 200, started.text
    params, at_provider = sign_in_at_provider(started.json()["authorization_url"], login=login)
    back = browser.get(f"{site}/api/auth/federation/{SLUG}/callback/", params=params,
                       allow_redirects=False, timeout=10)
    assert back.status_code == 302 and back.headers["Location"] == "/", (back.status_code, back.headers)
    refreshed = browser.post(f"{site}/api/auth/refresh/", headers={"Origin": site}, timeout=10)
    assert refreshed.status_code == 200, refreshed.text
    return browser, refreshed.json()["access"], at_provider


def sign_out_at_provider(running, at_provider):
    """The provider's RP-independent sign-out: /session/end, then its confirmation form ("yes")."""
    page = at_provider.get(f"{running.issuer}/session/end", timeout=10)
    assert page.status_code == 200, page.text[:300]
    form = page.text.split("<form", 1)[1].split("</form>", 1)[0]
    action = re.search(r'action="([^"]+)"', form).group(1)
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    done = at_provider.post(urljoin(page.url, action), data={**data, "logout": "yes"}, allow_redirects=False,
                            timeout=20)
    assert done.status_code in (200, 302, 303), done.text[:300]


def me(site, access):
    return requests.get(f"{site}/api/auth/me/", headers={"Authorization": f"Bearer {access}"}, timeout=10)


def test_signing_out_at_the_provider_ends_the_gatehouse_session(idp, provider_with_logout, site):
    browser, access, at_provider = sign_in_through_provider(site, login="dora")
    # The same person on another device, signed in at the provider there too: another provider session.
    _, other_access, _ = sign_in_through_provider(site, login="dora")
    sign_in = FederatedSignIn.objects.filter(provider=idp).earliest("created_at")
    other = FederatedSignIn.objects.filter(provider=idp).latest("created_at")
    assert sign_in.subject == other.subject == "dora"
    assert sign_in.provider_sid and other.provider_sid and sign_in.provider_sid != other.provider_sid
    assert me(site, access).status_code == 200 and me(site, other_access).status_code == 200

    sign_out_at_provider(provider_with_logout, at_provider)

    wait_until(lambda: me(site, access).status_code == 401, what="the access token refused after the logout")
    session = RefreshSession.objects.get(pk=sign_in.session_id)
    assert session.revoked_reason == RevocationReason.PROVIDER_LOGOUT
    assert UsedLogoutToken.objects.filter(provider=idp).count() == 1
    refresh = browser.post(f"{site}/api/auth/refresh/", headers={"Origin": site}, timeout=10)
    assert refresh.status_code == 401
    assert me(site, other_access).status_code == 200  # the other device's provider session goes on
