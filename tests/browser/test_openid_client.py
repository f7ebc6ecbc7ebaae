"""A second, independent relying party: panva's openid-client (npm, tests/peers) against a live Gatehouse.

Chromium signs the user in and consents; the node script does what an
application's back end does with the library: discovery, PKCE S256, the code
exchange with state, nonce and RFC 9207 ``iss`` checked, the ID token
validated against the JWKS, userinfo, refresh rotation (and reuse refused),
revocation and the RP-initiated logout URL.
"""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.oidc_provider import clients
from tests.browser.conftest import log_in_through_ui
from tests.browser.test_openid_provider import (  # noqa: F401
    REDIRECT,
    SECRET,
    application_page,
    provider,
)

PEERS = Path(__file__).resolve().parent.parent / "peers"
CALLBACK = re.compile(r"^http://127\.0\.0\.1:8765/callback\?")


def run(step, **values):
    node = shutil.which("node")
    assert node and (PEERS / "node_modules" / "openid-client").is_dir(), "make peers installs openid-client"
    result = subprocess.run([node, str(PEERS / "relying_party.mjs"), step, json.dumps(values)],
                            capture_output=True, text=True, timeout=60, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def rp(provider):  # noqa: F811
    clients.set_client("notes", clients.ClientSettings(
        redirect_uris=[REDIRECT], name="Team Notes", secret=SECRET,
        post_logout_redirect_uris=("http://127.0.0.1:8765/bye",),
    ))
    return {"issuer": provider, "client_id": "notes", "client_secret": SECRET}


def sign_in(page, rp, **extra):
    started = run("authorize", **rp, redirect_uri=REDIRECT, scope="openid profile email offline_access", **extra)
    page.goto(started["url"])
    page.get_by_test_id("consent-allow").click()
    page.wait_for_url(CALLBACK)
    return started


def test_code_pkce_userinfo_refresh_revoke_and_logout_with_openid_client(page, user, rp):
    application_page(page)
    log_in_through_ui(page)
    started = sign_in(page, rp)
    done = run("callback", **rp, current_url=page.url, state=started["state"], nonce=started["nonce"],
               verifier=started["verifier"])
    assert "error" not in done, done
    assert done["claims"]["sub"] == str(user.pk) and done["claims"]["aud"] == "notes"
    assert done["userinfo"]["email"] == "alice@example.com"
    first = done["tokens"]["refresh_token"]
    rotated = run("refresh", **rp, refresh_token=first)
    assert "error" not in rotated and rotated["tokens"]["refresh_token"] != first
    # The token just replaced, again from the same client, within the grace window: the current one again.
    again = run("refresh", **rp, refresh_token=first)
    assert again["tokens"]["refresh_token"] == rotated["tokens"]["refresh_token"]
    assert run("revoke", **rp, token=rotated["tokens"]["refresh_token"]) == {"revoked": True}
    refused = run("refresh", **rp, refresh_token=rotated["tokens"]["refresh_token"])
    assert refused["code"] == "invalid_grant"

    ended = run("end_session", **rp, id_token=done["tokens"]["id_token"],
                post_logout_redirect_uri="http://127.0.0.1:8765/bye", state="s1")
    page.goto(ended["url"])
    page.wait_for_url("http://127.0.0.1:8765/bye?state=s1")


def test_openid_client_refuses_a_code_answered_for_another_state(page, user, rp):
    application_page(page)
    log_in_through_ui(page)
    started = sign_in(page, rp)
    tampered = run("callback", **rp, current_url=page.url, state="another-state", nonce=started["nonce"],
                   verifier=started["verifier"])
    assert tampered["code"] == "OAUTH_INVALID_RESPONSE"  # openid-client: "unexpected \"state\" response parameter value"


def test_prompt_none_and_max_age_with_openid_client(page, user, rp):
    from accounts.models import RefreshSession

    application_page(page)
    page.goto(run("authorize", **rp, redirect_uri=REDIRECT, extra={"prompt": "none"})["url"])
    page.wait_for_url(CALLBACK)
    assert "error=login_required" in page.url
    log_in_through_ui(page)
    sign_in(page, rp)
    RefreshSession.objects.filter(user=user).update(
        authenticated_at=RefreshSession.objects.first().created_at.replace(year=2020))
    started = run("authorize", **rp, redirect_uri=REDIRECT, extra={"max_age": "60"})
    page.goto(started["url"])
    dialog = page.get_by_test_id("reauth-form")
    expect(dialog).to_be_visible()
    dialog.locator('input[name="password"]').fill("correct horse battery staple")
    dialog.locator('button[type="submit"]').click()
    page.wait_for_url(CALLBACK)
    done = run("callback", **rp, current_url=page.url, state=started["state"], nonce=started["nonce"],
               verifier=started["verifier"], max_age=60)
    assert "error" not in done, done
