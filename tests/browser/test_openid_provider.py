"""Gatehouse as an OpenID Provider, end to end: authlib's client in Python as the application, Chromium as the user.

The application's redirect URI is on loopback; Chromium's request to it is
answered by Playwright (the application's page), and the test plays the
application's back end with authlib's OAuth2Session: the code exchange with
PKCE, the ID token checked against the JWKS with authlib's JOSE, userinfo,
refresh rotation.
"""
import base64
import re
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import expect

from accounts.oidc_provider import clients
from tests.browser import accessibility
from tests.browser.conftest import log_in_through_ui, screenshots

REDIRECT = "http://127.0.0.1:8765/callback"
SECRET = "browser-test-secret-" + "q" * 30


@pytest.fixture
def provider(settings, live_server, db):
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    settings.GATEHOUSE = {**settings.GATEHOUSE, "JWT": {**settings.GATEHOUSE["JWT"], "ALGORITHM": "ES256",
                                                        "PRIVATE_KEY": pem, "ISSUER": live_server.url}}
    clients.set_client("notes", clients.ClientSettings(redirect_uris=[REDIRECT], name="Team Notes", secret=SECRET))
    return live_server.url


def application_page(page):
    """The application's callback: a page that says it got there (its URL carries the answer)."""
    page.route(re.compile(r"^http://127\.0\.0\.1:8765/.*"),
               lambda route: route.fulfill(status=200, content_type="text/html", body="<h1>Team Notes</h1>"))


def start(session, base, **extra):
    verifier = secrets.token_urlsafe(48)
    url, state = session.create_authorization_url(
        f"{base}/oauth/authorize/", code_verifier=verifier, nonce="nonce-123", **extra
    )
    return url, state, verifier


def client_session(scope="openid profile email offline_access"):
    return OAuth2Session("notes", SECRET, scope=scope, redirect_uri=REDIRECT, code_challenge_method="S256",
                         token_endpoint_auth_method="client_secret_basic")


def test_sign_in_consent_tokens_userinfo_and_refresh_with_authlib(page, user, provider, artifacts):
    application_page(page)
    session = client_session()
    url, state, verifier = start(session, provider)
    page.goto(url)
    # Not signed in: the login page first, then back to the request.
    form = page.get_by_test_id("login-form")
    form.locator('input[name="username"]').fill("alice")
    form.locator('input[name="password"]').fill("correct horse battery staple")
    form.locator('button[type="submit"]').click()
    consent = page.get_by_test_id("consent-form")
    expect(consent).to_be_visible()
    expect(consent).to_contain_text("Team Notes")
    expect(consent).to_contain_text("127.0.0.1:8765")
    expect(consent).to_contain_text("See your email address")
    screenshots(page, artifacts, "oidc-consent")
    found = accessibility.violations(page, label="consent page")
    assert accessibility.failing(found) == [], accessibility.report(accessibility.failing(found))
    page.get_by_test_id("consent-allow").click()
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:8765/callback\?"))
    params = {key: values[0] for key, values in parse_qs(urlsplit(page.url).query).items()}
    assert params["state"] == state and params["iss"] == provider

    token = session.fetch_token(f"{provider}/oauth/token/", authorization_response=page.url,
                                code_verifier=verifier)
    jwks = JsonWebKey.import_key_set(requests.get(f"{provider}/.well-known/jwks.json", timeout=10).json())
    claims = jwt.decode(token["id_token"], jwks, claims_options={
        "iss": {"essential": True, "value": provider}, "aud": {"essential": True, "value": "notes"},
        "nonce": {"essential": True, "value": "nonce-123"}})
    claims.validate()
    assert claims["sub"] == str(user.pk) and claims["sid"]
    info = session.get(f"{provider}/oauth/userinfo/").json()
    assert info["preferred_username"] == "alice" and info["email"] == "alice@example.com"

    first_refresh = token["refresh_token"]
    rotated = session.refresh_token(f"{provider}/oauth/token/", refresh_token=first_refresh)
    assert rotated["refresh_token"] != first_refresh
    # The grant is one of alice's sessions: the sessions page lists it, named after the application.
    page.goto(f"{provider}/sessions")
    expect(page.get_by_text("Team Notes", exact=False).first).to_be_visible()


def test_consent_refused_sends_access_denied(page, user, provider):
    application_page(page)
    log_in_through_ui(page)
    url, state, _ = start(client_session("openid"), provider)
    page.goto(url)
    page.get_by_test_id("consent-deny").click()
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:8765/callback\?"))
    params = parse_qs(urlsplit(page.url).query)
    assert params["error"] == ["access_denied"] and params["state"] == [state]


def test_an_unregistered_redirect_uri_stays_on_our_page(page, provider, artifacts):
    session = OAuth2Session("notes", SECRET, scope="openid", redirect_uri="https://evil.example/cb",
                            code_challenge_method="S256")
    url, _, _ = start(session, provider)
    page.goto(url)
    expect(page.get_by_test_id("oauth-error")).to_be_visible()
    assert page.url.startswith(provider)
    screenshots(page, artifacts, "oidc-error")


def test_the_consent_page_refuses_to_be_framed(page, user, provider):
    log_in_through_ui(page)
    url, _, _ = start(client_session("openid"), provider)
    response = requests.get(url, timeout=10, allow_redirects=True)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    # A page on another origin framing the consent page: Chromium refuses to draw it (an error page instead).
    from tests.conftest import wait_until  # returns what it waited for

    page.route("http://127.0.0.1:8766/frame", lambda route: route.fulfill(
        status=200, content_type="text/html", body=f'<iframe src="{url}" width="600" height="400"></iframe>'))
    page.goto("http://127.0.0.1:8766/frame")
    framed = wait_until(lambda: next((f for f in page.frames if f != page.main_frame and f.url != "about:blank"), None),
                        what="the frame to be navigated")
    wait_until(lambda: framed.url.startswith("chrome-error://"), what="Chromium's refusal of the frame")
    assert all(frame.query_selector('[data-testid="consent-allow"]') is None for frame in page.frames)


def sign_in_to_app(page, session, base, **extra):
    """From a signed-in browser, the first time: the application's request, consent, back at the callback."""
    url, state, verifier = start(session, base, **extra)
    page.goto(url)
    page.get_by_test_id("consent-allow").click()
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:8765/callback\?"))
    return page.url, state, verifier


@pytest.mark.parametrize("signed_in", [True, False])
def test_prompt_none_answers_the_application_only(page, user, provider, signed_in):
    application_page(page)
    if signed_in:
        log_in_through_ui(page)
        sign_in_to_app(page, client_session("openid"), provider)  # consent given once
    url, state, _ = start(client_session("openid"), provider, prompt="none")
    page.goto(url)
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:8765/callback\?"))
    params = parse_qs(urlsplit(page.url).query)
    assert params["state"] == [state] and params["iss"] == [provider]
    if signed_in:
        assert "code" in params
    else:
        assert params["error"] == ["login_required"]


def test_max_age_asks_to_confirm_it_is_you(page, user, provider, artifacts):
    from accounts.models import RefreshSession

    application_page(page)
    log_in_through_ui(page)
    sign_in_to_app(page, client_session("openid"), provider)
    RefreshSession.objects.filter(user=user).update(authenticated_at=RefreshSession.objects.first().created_at
                                                    .replace(year=2020))
    url, _, verifier = start(client_session("openid"), provider, max_age=60)
    page.goto(url)
    dialog = page.get_by_test_id("reauth-form")
    expect(dialog).to_be_visible()
    screenshots(page, artifacts, "oidc-max-age")
    dialog.locator('input[name="password"]').fill("correct horse battery staple")
    dialog.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:8765/callback\?"))
    session = client_session("openid")
    token = session.fetch_token(f"{provider}/oauth/token/", authorization_response=page.url, code_verifier=verifier)
    claims = jwt.decode(token["id_token"], JsonWebKey.import_key_set(
        requests.get(f"{provider}/.well-known/jwks.json", timeout=10).json()))
    assert claims["auth_time"] > 1600000000 + 5 * 365 * 86400  # re-authenticated now, not in 2020


def test_a_user_with_a_second_step_signs_in_to_an_application(page, user, provider):
    import time as _time

    import pyotp

    from accounts.limits.net import ClientInfo
    from accounts.mfa import totp

    secret = totp.begin_enrolment(user=user).secret
    totp.confirm_enrolment(user=user, code=pyotp.TOTP(secret).at(_time.time() - 30),
                           client=ClientInfo("127.0.0.1", "setup"))
    application_page(page)
    session = client_session("openid")
    url, _, verifier = start(session, provider, acr_values="urn:gatehouse:acr:2fa")
    page.goto(url)
    form = page.get_by_test_id("login-form")
    form.locator('input[name="username"]').fill("alice")
    form.locator('input[name="password"]').fill("correct horse battery staple")
    form.locator('button[type="submit"]').click()
    mfa = page.get_by_test_id("mfa-form")
    mfa.locator('input[name="code"]').fill(pyotp.TOTP(secret).now())
    mfa.locator('button[type="submit"]').click()
    page.get_by_test_id("consent-allow").click()
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:8765/callback\?"))
    token = session.fetch_token(f"{provider}/oauth/token/", authorization_response=page.url, code_verifier=verifier)
    claims = jwt.decode(token["id_token"], JsonWebKey.import_key_set(
        requests.get(f"{provider}/.well-known/jwks.json", timeout=10).json()))
    assert claims["amr"] == ["pwd", "otp"] and claims["acr"] == "urn:gatehouse:acr:2fa"


def test_rp_initiated_logout_signs_out_and_returns_to_the_application(page, user, provider):
    from accounts.oidc_provider.models import OAuthClient

    OAuthClient.objects.filter(client_id="notes").update(post_logout_redirect_uris="http://127.0.0.1:8765/bye")
    application_page(page)
    log_in_through_ui(page)
    session = client_session("openid")
    callback, _, verifier = sign_in_to_app(page, session, provider)
    token = session.fetch_token(f"{provider}/oauth/token/", authorization_response=callback, code_verifier=verifier)
    page.goto(f"{provider}/oauth/logout/?id_token_hint={token['id_token']}"
              "&post_logout_redirect_uri=http://127.0.0.1:8765/bye&state=xyz")
    page.wait_for_url("http://127.0.0.1:8765/bye?state=xyz")
    page.goto(f"{provider}/")
    expect(page.get_by_test_id("login-form")).to_be_visible()
    assert session.get(f"{provider}/oauth/userinfo/").status_code == 401


def test_the_account_page_lists_the_app_and_removes_its_access(page, user, provider, artifacts):
    application_page(page)
    log_in_through_ui(page)
    session = client_session()
    callback, _, verifier = sign_in_to_app(page, session, provider)
    token = session.fetch_token(f"{provider}/oauth/token/", authorization_response=callback, code_verifier=verifier)
    page.goto(f"{provider}/account")
    row = page.get_by_test_id("app-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Team Notes")
    row.scroll_into_view_if_needed()
    screenshots(page, artifacts, "oidc-account-apps")
    found = accessibility.violations(page, label="account page, connected apps")
    assert accessibility.failing(found) == [], accessibility.report(accessibility.failing(found))
    row.get_by_test_id("app-revoke").click()
    page.get_by_test_id("confirm-action").click()
    expect(page.get_by_test_id("apps-empty")).to_be_visible()
    refused = requests.post(f"{provider}/oauth/token/", data={
        "grant_type": "refresh_token", "refresh_token": token["refresh_token"]}, auth=("notes", SECRET), timeout=10)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"


@pytest.fixture
def logout_receiver():
    """An application's back-channel logout endpoint on loopback: it keeps every logout_token posted to it."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs as parse

    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            received.append((self.headers.get("Content-Type"), parse(body).get("logout_token", [""])[0]))
            self.send_response(200)
            self.send_header("Cache-Control", "no-store")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/backchannel", received
    server.shutdown()
    server.server_close()


def test_logout_everywhere_reaches_the_application_by_back_channel(page, user, provider, logout_receiver):
    from accounts.oidc_provider import logout
    from accounts.oidc_provider.models import OAuthClient
    from tests.browser.conftest import wait_until

    uri, received = logout_receiver
    OAuthClient.objects.filter(client_id="notes").update(backchannel_logout_uri=uri)
    application_page(page)
    log_in_through_ui(page)
    session = client_session()
    callback, _, verifier = sign_in_to_app(page, session, provider)
    token = session.fetch_token(f"{provider}/oauth/token/", authorization_response=callback, code_verifier=verifier)
    keys = JsonWebKey.import_key_set(requests.get(f"{provider}/.well-known/jwks.json", timeout=10).json())
    sid = jwt.decode(token["id_token"], keys)["sid"]

    page.goto(f"{provider}/sessions")
    page.get_by_test_id("logout-all").click()
    page.get_by_test_id("confirm-action").click()
    expect(page.get_by_test_id("login-form")).to_be_visible()

    # Delivered through the outbox (the web process's sender thread is off in tests: this is its round).
    wait_until(lambda: logout.deliver_due() is not None and received, what="the logout token")
    content_type, logout_token = received[0]
    assert content_type == "application/x-www-form-urlencoded"
    header = __import__("json").loads(base64.urlsafe_b64decode(logout_token.split(".")[0] + "=="))
    assert header["typ"] == "logout+jwt"
    claims = jwt.decode(logout_token, keys, claims_options={
        "iss": {"essential": True, "value": provider}, "aud": {"essential": True, "value": "notes"}})
    claims.validate()
    assert claims["sid"] == sid and claims["sub"] == str(user.pk) and "nonce" not in claims
    assert "http://schemas.openid.net/event/backchannel-logout" in claims["events"]
    refused = requests.post(f"{provider}/oauth/token/", data={
        "grant_type": "refresh_token", "refresh_token": token["refresh_token"]}, auth=("notes", SECRET), timeout=10)
    assert refused.json()["error"] == "invalid_grant"
