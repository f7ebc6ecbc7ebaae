"""Playwright driving Debian's Chromium against a live Gatehouse server.

Every test gets a fresh browser context; at teardown it fails if any page
logged a JavaScript error or a Content-Security-Policy violation.
"""
import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make for setup are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.conftest import PASSWORD  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Chromium logs every 4xx/5xx response to the console; those are expected
# answers here (a wrong password is a 401), not script errors.
# Chromium logs every failed or non-2xx request as a console error; the app
# handles those itself (the tests check how). Script errors still fail a test.
NETWORK_STATUS_LOG = re.compile(r"^Failed to load resource: (the server responded with a status of \d+|net::ERR_)")

expect.set_options(timeout=10_000)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class BrowserProblems(list):
    def watch(self, page):
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.append(f"page error: {error}"))

    def _on_console(self, message):
        if message.type == "error" and not NETWORK_STATUS_LOG.match(message.text):
            self.append(f"console error: {message.text}")


@pytest.fixture
def new_context(browser, live_server):
    contexts = []
    problems = BrowserProblems()

    def make(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        context.on("page", problems.watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert list(problems) == [], "the browser reported errors"


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


def log_in_through_ui(page, username="alice", password=PASSWORD, path="/"):
    page.goto(path)
    form = page.get_by_test_id("login-form")
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(password)
    form.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("current-user")).to_have_text(username)


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def screenshots(page, artifacts, name, sizes=((1280, 900), (390, 844))):
    """``name-1280.png`` and ``name-390.png``: the whole page, at a desktop and a phone width."""
    for width, height in sizes:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(artifacts / f"{name}-{width}.png"), full_page=True)


def wait_until(condition, *, timeout=20.0, interval=0.05, what="the condition"):
    """Poll ``condition`` (a callable) until it is truthy; fail after a generous ``timeout`` seconds.

    For what the browser does after the UI has already moved on (a logout
    request still in flight when the login page shows).
    """
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def access_token_claims(page) -> dict:
    """The claims of the access token the app keeps (unverified: the server checked it); {} when there is none."""
    import base64
    import json

    token = page.evaluate("localStorage.getItem('access_token')") or ""
    payload = token.split(".")[1] if token.count(".") == 2 else ""
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))) if payload else {}


def wait_for_a_fresh_provider_authentication(page, *, since: int) -> None:
    """Until the app holds an access token whose authentication (``fed``) is no older than ``since``."""

    def fresh():
        claims = access_token_claims(page)
        return claims.get("auth_time", 0) >= since and "fed" in claims.get("amr", [])

    wait_until(fresh, what="an access token with the new authentication")
