import json
import subprocess
from pathlib import Path

import pytest

from backend.views import SPA_PATHS

pytestmark = pytest.mark.django_db


ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("path", ["/", "/sessions", "/account", "/staff", "/login", "/signup", "/sessions/"])
def test_spa_is_served_for_deep_links(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert b'<meta name="signup-enabled" content="true">' in response.content


@pytest.mark.parametrize("path", ["/no-such-page", "/some/deep/link", "/sessions/extra"])
def test_unknown_paths_answer_404_with_the_app(client, path):
    # Repro: /no-such-page rendered "Page not found" with HTTP 200.
    response = client.get(path)

    assert response.status_code == 404
    assert b'<meta name="signup-enabled"' in response.content  # the app, which shows its not-found page


def test_the_server_knows_exactly_the_routes_of_the_apps_router():
    script = (
        "import('./frontend/static/app/router.js')"
        ".then((m) => console.log(JSON.stringify(m.ROUTES.map((r) => r.path))))"
    )
    result = subprocess.run(["node", "--input-type=module", "-e", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=True)

    assert set(json.loads(result.stdout)) == SPA_PATHS


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]

    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy and "base-uri 'none'" in policy


def test_spa_shell_says_when_sign_up_is_off(client, settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "SIGNUP_ENABLED": False}

    assert b'<meta name="signup-enabled" content="false">' in client.get("/login").content


def test_spa_shell_is_not_served_for_post(client):
    assert client.post("/").status_code == 405


@pytest.mark.parametrize("name", ["index.js", "api.js", "token-store.js", "backoff.js", "webauthn.js", "keep-fresh.js"])
def test_the_client_packages_modules_are_served_to_the_app_as_they_are(client, name):
    # The browser app imports the package's own files (frontend/client/src), not a copy.
    response = client.get(f"/static/client/{name}")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (ROOT / "frontend" / "client" / "src" / name).read_bytes()


def test_the_package_folder_on_disk_is_the_one_the_app_imports():
    assert (ROOT / "frontend" / "static" / "client").resolve() == (ROOT / "frontend" / "client" / "src").resolve()


def test_the_package_manifest_and_its_tooling_are_not_served(client):
    for path in ("/static/client/package.json", "/static/client/node_modules/typescript/package.json",
                 "/static/app/client/api.js"):
        assert client.get(path).status_code == 404
