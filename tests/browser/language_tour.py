"""A tour of every page in every language, photographed for a person to read: not part of ``make test``.

Run it on its own (its name does not start with ``test_``, so the suite leaves it out)::

    .venv/bin/pytest -q -p no:randomly tests/browser/language_tour.py
    .venv/bin/pytest -q tests/browser/language_tour.py -k ar        # one language

Screenshots go to ``$LANGUAGE_TOUR_DIR/<lang>/<page>-<width>.png`` (default
``test-artifacts/language-tour``): 390 px wide for every language, and 1280 px
as well for German (the longest words) and Arabic (right to left). For those
two, axe-core runs on each page and its serious findings are written to
``<lang>/axe.txt``. A step that fails is written to ``<lang>/problems.txt``
and the tour goes on, so one broken page does not hide the others.

What each page shows: login (with and without sign-in providers, a wrong
password, a 429 wait, a busy server), sign-up, forgot and reset password,
verify email, login by code, the second step (code and passkey), overview,
sessions with several devices, the account page with a passkey, a token, a
linked identity and a connected app, consent, and the sign-out an application
asks for.
"""
import os
import time
import traceback
from pathlib import Path

import pyotp
import pytest
import requests
from playwright.sync_api import expect

from accounts.limits.net import ClientInfo
from accounts.mfa import totp
from tests.browser import accessibility
from tests.browser.conftest import ARTIFACTS, log_in_through_ui
from tests.browser.test_openid_provider import REDIRECT, application_page, client_session, start
from tests.browser.test_passkeys import virtual_authenticator
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = {"en": "en-US", "de": "de-DE", "fr": "fr-FR", "es": "es-ES", "pt-br": "pt-BR", "ar": "ar-EG"}
WIDE = {"de", "ar"}
DEVICES = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
    "Safari/537.36 Edg/124.0.0.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
    "Mobile Safari/537.36",
)


class Tour:
    def __init__(self, page, language):
        self.page, self.language = page, language
        self.folder = Path(os.environ.get("LANGUAGE_TOUR_DIR") or ARTIFACTS / "language-tour") / language
        self.folder.mkdir(parents=True, exist_ok=True)
        for name in ("problems.txt", "axe.txt"):
            (self.folder / name).write_text("")

    def note(self, name, text):
        with (self.folder / name).open("a") as out:
            out.write(text.rstrip() + "\n")

    def shoot(self, name):
        widths = (390, 1280) if self.language in WIDE else (390,)
        for width in widths:
            self.page.set_viewport_size({"width": width, "height": 844 if width == 390 else 900})
            self.page.evaluate("window.scrollTo(0, 0)")
            self.page.wait_for_timeout(150)  # a layout pass after the resize, not a wait for the server
            self.page.screenshot(path=str(self.folder / f"{name}-{width}.png"), full_page=True)
        if self.language in WIDE:
            found = accessibility.failing(accessibility.violations(self.page, label=f"{name} ({self.language})"))
            if found:
                self.note("axe.txt", accessibility.report(found))
        self.page.set_viewport_size({"width": 390, "height": 844})

    def step(self, name, action):
        try:
            action()
            self.shoot(name)
        except Exception:  # noqa: BLE001 — the tour writes the failure down and goes on to the next page
            self.note("problems.txt", f"{name}:\n{traceback.format_exc()}")
            self.page.screenshot(path=str(self.folder / f"{name}-failed.png"), full_page=True)


def settled(page):
    expect(page.locator(".loading")).to_have_count(0, timeout=20_000)


def fill_login(page, username="alice", password=PASSWORD):
    form = page.get_by_test_id("login-form")
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(password)
    form.locator('button[type="submit"]').click()


@pytest.fixture
def tour_site(settings, live_server, make_user, smtp_server):
    from accounts.oidc_provider import clients
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    assert live_server.url.startswith("http://localhost:"), live_server.url
    settings.SITE_URL = live_server.url
    settings.WEBAUTHN_RP_ID = None
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    settings.GATEHOUSE = {**settings.GATEHOUSE, "JWT": {**settings.GATEHOUSE["JWT"], "ALGORITHM": "ES256",
                                                        "PRIVATE_KEY": pem, "ISSUER": live_server.url}}
    from tests.browser.test_openid_provider import SECRET

    clients.set_client("notes", clients.ClientSettings(redirect_uris=[REDIRECT], name="Team Notes", secret=SECRET))
    return live_server.url


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_tour(new_context, tour_site, make_user, language):
    from accounts.federation.models import Identity, Provider
    from accounts.personal_tokens.flows import create_token
    from accounts.recovery import address_tokens, tokens

    base = tour_site
    alice = make_user(first_name="Alice", last_name="Liddell")
    bob = make_user(username="bob", email="bob@example.com")
    carol = make_user(username="carol", email="carol@example.com")
    context = new_context(locale=LANGUAGES[language], timezone_id="Europe/Berlin")
    page = context.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    tour = Tour(page, language)

    # Signed out.
    tour.step("login", lambda: (page.goto("/login"), expect(page.get_by_test_id("login-form")).to_be_visible()))

    def wrong_password():
        page.goto("/login")
        fill_login(page, password="not the password")
        expect(page.get_by_test_id("form-error")).to_be_visible()
    tour.step("login-wrong-password", wrong_password)

    def too_many():
        page.route("**/api/auth/login/", lambda route: route.fulfill(
            status=429, headers={"Retry-After": "42"}, content_type="application/json",
            body='{"detail": "Too many attempts. Try again shortly.", "code": "throttled"}'))
        page.goto("/login")
        fill_login(page)
        expect(page.get_by_test_id("form-error")).to_be_visible()
        page.unroute("**/api/auth/login/")
    tour.step("login-429", too_many)

    def busy():
        page.route("**/api/auth/login/", lambda route: route.fulfill(
            status=503, headers={"Retry-After": "30"}, content_type="application/json",
            body='{"detail": "Many sign-ins are being checked right now. Please try again in a moment.", '
                 '"code": "hashing_busy"}'))
        page.goto("/login")
        fill_login(page)
        expect(page.get_by_test_id("login-wait")).to_be_visible()
    tour.step("login-busy", busy)
    page.unroute("**/api/auth/login/")

    for slug, kind, name in (("google", "google", "Google"), ("github", "github", "GitHub"),
                             ("acme", "oidc", "Acme ID")):
        Provider.objects.create(slug=slug, kind=kind, name=name, client_id="x", client_secret_sealed="",
                                issuer="https://id.acme.example")
    tour.step("login-providers", lambda: (
        page.goto("/login"), expect(page.get_by_test_id("provider-button")).to_have_count(3)))
    tour.step("signup", lambda: (page.goto("/signup"), expect(page.get_by_test_id("page-title")).to_be_visible()))

    def signup_errors():
        page.goto("/signup")
        page.locator('form button[type="submit"]').first.click()
        page.wait_for_timeout(300)
    tour.step("signup-errors", signup_errors)
    tour.step("forgot-password", lambda: (
        page.goto("/forgot-password"), expect(page.get_by_test_id("forgot-password-form")).to_be_visible()))

    def forgot_sent():
        page.goto("/forgot-password")
        form = page.get_by_test_id("forgot-password-form")
        form.locator('input[name="email"]').fill("alice@example.com")
        form.locator('button[type="submit"]').click()
        expect(page.get_by_test_id("forgot-password-sent")).to_be_visible()
    tour.step("forgot-password-sent", forgot_sent)

    def reset():
        page.goto(f"/reset-password#token={tokens.make_token(carol)}")
        expect(page.get_by_test_id("reset-password-form")).to_be_visible()
    tour.step("reset-password", reset)
    tour.step("reset-password-no-token", lambda: (page.goto("/reset-password"), settled(page)))

    def verify():
        page.goto(f"/verify-email#token={address_tokens.make_verification_token(carol)}")
        settled(page)
        page.wait_for_timeout(500)
    tour.step("verify-email", verify)
    tour.step("verify-email-no-token", lambda: (page.goto("/verify-email"), settled(page)))
    tour.step("login-code", lambda: (page.goto("/login/code"), settled(page)))

    def code_sent():
        page.goto("/login/code#email=alice@example.com")
        settled(page)
        page.locator('form button[type="submit"]').first.click()
        page.wait_for_timeout(800)
    tour.step("login-code-sent", code_sent)

    # Bob has an authenticator app: the second step with a code.
    secret = totp.begin_enrolment(user=bob).secret
    totp.confirm_enrolment(user=bob, code=pyotp.TOTP(secret).at(time.time() - 30),
                           client=ClientInfo("127.0.0.1", "setup"))

    def second_step():
        page.goto("/login")
        fill_login(page, "bob")
        expect(page.get_by_test_id("mfa-form")).to_be_visible()
    tour.step("two-step-code", second_step)

    def second_step_wrong():
        form = page.get_by_test_id("mfa-form")
        form.locator('input[name="code"]').fill("000000")
        form.locator('button[type="submit"]').click()
        # A wrong code is said beside the field (aria-invalid), not in the form's alert.
        expect(form.locator('input[name="code"]')).to_have_attribute("aria-invalid", "true", timeout=20_000)
    tour.step("two-step-wrong-code", second_step_wrong)

    # Alice: several devices, a token, a linked identity, then a passkey added on the account page.
    for agent in DEVICES:
        requests.post(f"{base}/api/auth/login/", json={"username": "alice", "password": PASSWORD},
                      headers={"User-Agent": agent}, timeout=20)
    create_token(user=alice, name="Backup script", expires_in_days=30, scopes=["profile:read"],
                 client=ClientInfo("127.0.0.1", "setup"))
    Identity.objects.create(user=alice, provider=Provider.objects.get(slug="acme"), subject="a-1",
                            email="alice.acme@example.com", email_verified=True)
    authenticator = virtual_authenticator(page)
    assert authenticator

    log_in_through_ui(page)
    tour.step("overview", lambda: (page.goto("/"), settled(page)))
    tour.step("sessions", lambda: (page.goto("/sessions"), settled(page)))

    def add_passkey():
        page.goto("/account")
        settled(page)
        section = page.get_by_test_id("passkeys")
        section.locator('input[name="passkey_name"]').fill("Laptop")
        section.get_by_test_id("add-passkey").click()
        dialog = page.get_by_role("dialog")
        if dialog.count():
            page.wait_for_timeout(300)
            tour.shoot("account-passkey-warning")
            dialog.get_by_role("button").last.click()
        expect(section.get_by_test_id("passkey-row")).to_have_count(1)
    tour.step("account-passkey-added", add_passkey)

    def consent():
        application_page(page)
        url, _state, _verifier = start(client_session(), base)
        page.goto(url)
        expect(page.get_by_test_id("consent-form")).to_be_visible()
    tour.step("authorize", consent)

    def allow():
        page.get_by_test_id("consent-allow").click()
        page.wait_for_url(f"{REDIRECT}?**")
        page.goto("/account")
        settled(page)
    tour.step("account", allow)
    tour.step("end-session", lambda: (page.goto("/oauth/logout/?client_id=notes"), settled(page)))

    def passkey_step():
        page.goto("/")
        page.get_by_test_id("logout").click()
        expect(page.get_by_test_id("login-form")).to_be_visible()
        fill_login(page)
        expect(page.get_by_test_id("mfa-passkey")).to_be_visible()
    tour.step("two-step-passkey", passkey_step)
