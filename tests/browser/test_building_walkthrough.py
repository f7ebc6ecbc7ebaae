"""docs/building-on-gatehouse.md, followed literally.

Every snippet marked ``title="<path>"`` is written to that path in a scratch
folder put on PYTHONPATH beside the checkout; the server runs with the
document's settings module (``mysite.settings``), its own SQLite database,
and Chromium opens the team's page signed in, signed out, and after the
session was revoked. Nothing of Gatehouse's is edited.
"""
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import NETWORK_STATUS_LOG

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "building-on-gatehouse.md"
SNIPPET = re.compile(r'^```(\w+) title="([^"]+)"\n(.*?)^```$', re.S | re.M)
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-scoped-tokens"))
PASSWORD = "a walkthrough passphrase 7"


def snippets():
    found = [(path, body) for _, path, body in SNIPPET.findall(DOC.read_text())]
    assert found, "the document marks no snippet"
    return found


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, *, method="GET", token=None, origin=None):
    request = urllib.request.Request(url, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if origin:
        request.add_header("Origin", origin)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The team's project written from the document, migrated, with a user, served on a free port."""
    project = tmp_path_factory.mktemp("project")
    for path, body in snippets():
        target = project / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body)
    env = {
        key: value for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "PYTHONPATH"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="mysite.settings", DJANGO_DEBUG="1", PYTHONPATH=f"{project}{os.pathsep}{ROOT}",
        DATABASE_URL=f"sqlite:///{project / 'db.sqlite3'}",
    )

    def manage(*args):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=300,
                       stdout=subprocess.DEVNULL)

    manage("migrate", "--noinput")
    manage("shell", "-c", "from django.contrib.auth import get_user_model; "
           f"get_user_model().objects.create_user('alice', 'alice@example.com', {PASSWORD!r})")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if call(f"{url}/api/health/")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, "the server stopped"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.5)
        yield {"url": url, "manage": manage}
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def browser_page(site, browser):
    """A page of a fresh context on the team's server (Chromium is the browser tests' shared one)."""
    problems = []
    context = browser.new_context(base_url=site["url"])

    def watch(page):
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("console", lambda m: m.type == "error" and not NETWORK_STATUS_LOG.match(m.text)
                and problems.append(m.text))

    context.on("page", watch)
    yield context.new_page()
    context.close()
    assert problems == []


def sign_in(page):
    page.goto("/reports")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Freports$"))
    form = page.get_by_test_id("login-form")
    form.locator('input[name="username"]').fill("alice")
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').click()


def test_signed_in_the_teams_page_shows_its_protected_data_and_its_nav_link(site, browser_page):
    page = browser_page
    sign_in(page)

    expect(page).to_have_url(re.compile(r"/reports$"), timeout=20_000)
    expect(page.get_by_test_id("reports")).to_contain_text("Weekly report of alice")
    expect(page.get_by_test_id("nav-reports")).to_have_attribute("aria-current", "page")
    expect(page).to_have_title("Reports · Gatehouse")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"walkthrough-reports-{width}.png"), full_page=True)

    # The scope the team's route declares is offered on the account page, with its description.
    page.get_by_test_id("nav-account").click()
    expect(page.locator('input[name="scopes"][value="reports:read"]')).to_have_count(1)
    expect(page.get_by_test_id("token-scopes")).to_contain_text("Read your reports")

    # A script's personal token: given reports:read it reads the route; given another scope, 403 naming it.
    def token_with(scopes, name):
        return page.evaluate(
            """async ([scopes, name]) => {
                const answer = await fetch('/api/auth/tokens/', {
                    method: 'POST',
                    headers: {'Content-Type': 'application/json',
                              Authorization: `Bearer ${localStorage.getItem('access_token')}`},
                    body: JSON.stringify({name, expires_in_days: 7, scopes}),
                });
                return (await answer.json()).token;
            }""",
            [scopes, name],
        )

    assert call(f"{site['url']}/api/reports/", token=token_with(["reports:read"], "reports"))[0] == 200
    status, headers, body = call(f"{site['url']}/api/reports/", token=token_with(["profile:read"], "profile"))
    assert status == 403 and body["code"] == "insufficient_scope"
    assert headers["WWW-Authenticate"] == 'Bearer error="insufficient_scope", scope="reports:read"'


def test_signed_out_the_page_sends_to_the_login_and_the_route_answers_401(site, browser_page):
    page = browser_page
    page.goto("/reports")

    expect(page).to_have_url(re.compile(r"/login\?next=%2Freports$"))
    expect(page.get_by_test_id("reports")).to_have_count(0)
    status, headers, body = call(f"{site['url']}/api/reports/")
    assert status == 401 and body["code"] == "not_authenticated"
    assert headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_after_the_session_is_revoked_the_page_goes_to_the_login_and_the_token_is_refused(site, browser_page):
    page = browser_page
    sign_in(page)
    expect(page.get_by_test_id("reports")).to_contain_text("Weekly report of alice", timeout=20_000)
    page.get_by_test_id("nav-account").click()
    expect(page.get_by_test_id("token-scopes")).to_be_visible()
    access = page.evaluate("localStorage.getItem('access_token')")
    assert call(f"{site['url']}/api/reports/", token=access)[0] == 200

    site["manage"]("shell", "-c", (
        "from django.contrib.auth import get_user_model; from accounts.models import RevocationReason; "
        "from accounts.sessions import lifecycle; "
        "lifecycle.revoke_user_sessions(user=get_user_model().objects.get(username='alice'), "
        "reason=RevocationReason.ADMIN_REVOKED)"
    ))
    status, _, body = call(f"{site['url']}/api/reports/", token=access)
    assert status == 401 and body["code"] == "session_ended"

    page.get_by_test_id("nav-reports").click()  # in the app, no reload: the client meets the 401
    expect(page).to_have_url(re.compile(r"/login\?next=%2Freports$"), timeout=20_000)
    expect(page.get_by_test_id("reports")).to_have_count(0)
