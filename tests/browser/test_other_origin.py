"""A page on another origin of the same site signs in through the client package.

The package is packed (``npm pack``) and installed from its tarball into a
scratch folder; the page there (tests/browser/other_origin_app) is served by a
second loopback server and talks to the live Gatehouse through
``createGatehouseClient({ baseUrl })``: it logs in, refreshes, survives a
reload and logs out. Origins:

* another port of the same host (``localhost``), with the default
  ``SameSite=Strict`` cookie;
* a sibling host of one registrable domain (``app.example.com`` beside
  ``auth.example.com``, both mapped to loopback), with ``Lax`` and a cookie
  ``Domain``;
* ``app.localhost`` beside ``auth.localhost``: Chromium gives every
  ``*.localhost`` name a site of its own (``localhost`` is no registrable
  domain), so these are two *sites*; the login works but the browser keeps
  no refresh cookie, and the client ends the session at the first refresh.
  The documentation says so, and points at the OpenID Provider for another site.
"""
import functools
import http.server
import json
import re
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from accounts.models import RefreshSession
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, NETWORK_STATUS_LOG, screenshots
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "frontend" / "client"
PAGE = Path(__file__).resolve().parent / "other_origin_app"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The package's tarball installed with npm into a scratch folder, beside the page's files."""
    scratch = tmp_path_factory.mktemp("team-app")
    packed = subprocess.run(
        ["npm", "pack", "--pack-destination", str(scratch), "--json"], cwd=PACKAGE, check=True,
        capture_output=True, text=True, timeout=180,
    )
    tarball = scratch / json.loads(packed.stdout)[0]["filename"]
    (scratch / "package.json").write_text(json.dumps({"name": "team-app", "private": True}))
    subprocess.run(
        # --offline: the tarball is all there is to install (the package has no dependencies).
        ["npm", "install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", str(tarball)],
        cwd=scratch, check=True, capture_output=True, text=True, timeout=180,
    )
    installed_dir = scratch / "node_modules" / "@gatehouse" / "client"
    assert not installed_dir.is_symlink(), "installed from the tarball, not linked to the checkout"
    manifest = json.loads((scratch / "package.json").read_text())
    assert list(manifest["dependencies"]) == ["@gatehouse/client"]
    # Nothing but the package itself came in: it has no runtime dependencies.
    assert sorted(p.name for p in (scratch / "node_modules").iterdir() if not p.name.startswith(".")) == ["@gatehouse"]
    for name in ("index.html", "app.js", "app.css"):
        shutil.copy(PAGE / name, scratch / name)
    return scratch


@pytest.fixture(scope="module")
def page_server(installed):
    """The scratch folder over HTTP on a loopback port of its own (the team's dev server)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            # The page names Gatehouse's URL, which depends on the scenario: ?gatehouse=<url>.
            if urlsplit(self.path).path in ("/", "/index.html"):
                query = dict(part.split("=", 1) for part in urlsplit(self.path).query.split("&") if "=" in part)
                body = (installed / "index.html").read_text().replace("GATEHOUSE_URL", query.get("gatehouse", ""))
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            super().do_GET()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(installed)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def mapped_browser(browser):
    """Chromium that resolves app.example.com and auth.example.com to loopback (*.localhost it resolves itself).

    Launched by the suite's own Playwright (one per thread), beside the shared browser.
    """
    rules = "MAP app.example.com 127.0.0.1, MAP auth.example.com 127.0.0.1"
    mapped = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, f"--host-resolver-rules={rules}"],
    )
    yield mapped
    mapped.close()


@pytest.fixture
def team_page(mapped_browser):
    contexts, problems, allowed = [], [], []

    def open_page(url):
        context = mapped_browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("console", lambda m: m.type == "error" and not NETWORK_STATUS_LOG.match(m.text)
                and problems.append(m.text))
        page.goto(url)
        return page

    open_page.allow = allowed.append  # a console error the test expects (a pattern)
    yield open_page
    for context in contexts:
        context.close()
    assert [p for p in problems if not any(re.search(pattern, p) for pattern in allowed)] == []


def configure(settings, live_server, *, app_host, auth_host, page_port, **gatehouse):
    port = urlsplit(live_server.url).port
    app_origin = f"http://{app_host}:{page_port}"
    settings.CORS_ALLOWED_ORIGINS = [app_origin]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, auth_host]
    settings.GATEHOUSE = {**settings.GATEHOUSE, **gatehouse}
    return app_origin, f"http://{auth_host}:{port}"


def sign_in(page):
    form = page.get_by_test_id("app-login-form")
    form.locator('input[name="username"]').fill("alice")
    form.locator('input[name="password"]').fill(PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("app-user")).to_have_text("alice")
    expect(page.get_by_test_id("app-login-form")).to_be_hidden()


def refresh_cookie_answer(page, gatehouse):
    """What Gatehouse answers the page's own refresh call (the browser sends the cookie if it has one)."""
    return page.evaluate(
        "async (url) => (await fetch(url + '/api/auth/refresh/', {method: 'POST', credentials: 'include'})).status",
        gatehouse,
    )


SAME_SITE = {
    "another port": {"app_host": "localhost", "auth_host": "localhost"},
    "a sibling host": {
        "app_host": "app.example.com", "auth_host": "auth.example.com",
        # http://*.example.com is no secure context: a Secure cookie would not be kept (production is HTTPS).
        "REFRESH_COOKIE_SECURE": False, "REFRESH_COOKIE_SAMESITE": "Lax", "REFRESH_COOKIE_DOMAIN": "example.com",
    },
}


@pytest.mark.parametrize("scenario", SAME_SITE, ids=list(SAME_SITE))
def test_a_page_on_another_origin_logs_in_refreshes_survives_a_reload_and_logs_out(
    scenario, settings, live_server, user, page_server, team_page,
):
    options = dict(SAME_SITE[scenario])
    app_origin, gatehouse = configure(settings, live_server, page_port=page_server, **options)
    page = team_page(f"{app_origin}/?gatehouse={gatehouse}")
    calls = []
    page.on("request", lambda request: request.url.startswith(gatehouse) and calls.append(request))

    sign_in(page)
    session = RefreshSession.objects.get(user=user)
    assert page.evaluate("localStorage.getItem('access_token')")
    assert calls[0].all_headers().get("origin") == app_origin

    page.get_by_test_id("app-refresh").click()
    expect(page.get_by_test_id("app-refreshes")).to_have_text("1")
    session.refresh_from_db()
    assert session.generation == 1, "the refresh cookie went with the page's call and was rotated"

    page.reload()
    expect(page.get_by_test_id("app-user")).to_have_text("alice")  # the token from storage, checked by /me
    page.get_by_test_id("app-refresh").click()
    expect(page.get_by_test_id("app-refreshes")).to_have_text("1")
    session.refresh_from_db()
    assert session.generation == 2, "after the reload the cookie still works"
    shot = "other-origin-" + scenario.replace(" ", "-")
    screenshots(page, ARTIFACTS, shot + "-signed-in")

    # A second tab of the app shares the session (the token in storage) and follows the logout (storage event).
    other_tab = page.context.new_page()
    other_tab.goto(page.url)
    expect(other_tab.get_by_test_id("app-user")).to_have_text("alice")

    page.get_by_test_id("app-logout").click()
    expect(page.get_by_test_id("app-notice")).to_have_text("You are signed out.")
    expect(other_tab.get_by_test_id("app-notice")).to_have_text("Your session has ended (elsewhere).")
    expect(page.get_by_test_id("app-login-form")).to_be_visible()
    expect(page.get_by_test_id("app-logout")).to_be_hidden()
    session.refresh_from_db()
    assert session.revoked_at is not None, "the logout reached Gatehouse with the cookie"
    assert page.evaluate("localStorage.getItem('access_token')") is None
    assert refresh_cookie_answer(page, gatehouse) == 401
    screenshots(page, ARTIFACTS, shot + "-signed-out")


def test_an_unlisted_origin_cannot_sign_in_through_the_package(settings, live_server, user, page_server, team_page):
    _, gatehouse = configure(settings, live_server, app_host="localhost", auth_host="localhost", page_port=page_server)
    settings.CORS_ALLOWED_ORIGINS = ["http://localhost:1"]  # some other origin, not this page's
    team_page.allow(r"has been blocked by CORS policy")
    page = team_page(f"http://localhost:{page_server}/?gatehouse={gatehouse}")
    form = page.get_by_test_id("app-login-form")
    form.locator('input[name="username"]').fill("alice")
    form.locator('input[name="password"]').fill(PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    # The browser withholds the answer (no CORS grant): to the page it is a failed request.
    expect(page.get_by_test_id("app-notice")).to_contain_text("can’t be reached")
    expect(page.get_by_test_id("app-user")).to_be_hidden()
    assert not RefreshSession.objects.filter(user=user).exists(), "the Origin defence refused the login itself"
    assert page.evaluate("localStorage.getItem('access_token')") is None


def test_app_localhost_beside_auth_localhost_is_another_site_the_session_ends_at_the_first_refresh(
    settings, live_server, user, page_server, team_page,
):
    app_origin, gatehouse = configure(
        settings, live_server, app_host="app.localhost", auth_host="auth.localhost", page_port=page_server,
        REFRESH_COOKIE_SAMESITE="Lax",
    )
    page = team_page(f"{app_origin}/?gatehouse={gatehouse}")
    sign_in(page)  # the listed origin may sign in: the access token works ...
    assert page.evaluate("localStorage.getItem('access_token')")
    # ... but to the browser the two names are two sites: the cookie was not kept, so no refresh.
    assert refresh_cookie_answer(page, gatehouse) == 401
    page.get_by_test_id("app-refresh").click()
    expect(page.get_by_test_id("app-notice")).to_have_text(re.compile(r"session has ended \(session_expired\)"))
    expect(page.get_by_test_id("app-login-form")).to_be_visible()
    assert page.evaluate("localStorage.getItem('access_token')") is None
