"""A Python client generated from the served OpenAPI document works against a live server.

``openapi-python-client`` (from PyPI, pinned in requirements.txt) turns
``/api/schema/`` into a package once per test session; the test then logs
in, reads ``me`` and the sessions, refreshes and logs out through it, with
``raise_on_unexpected_status`` on, so an answer the document does not
describe fails the test.

The generated client speaks httpx, whose cookie jar (like a browser's) does
not send a ``Secure`` cookie over plain HTTP; the live server is
``http://localhost``, so these tests turn ``REFRESH_COOKIE_SECURE`` off. The
cookie's ``Path=/api/auth/`` is honoured by the jar as it is.
"""
import importlib
import subprocess
import sys
from http.cookiejar import CookieJar

import httpx
import pytest

from tests.conftest import PASSWORD

# The live server answers from its own thread and connection: data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

PACKAGE = "gatehouse_client"


@pytest.fixture(scope="session")
def generated(live_server, tmp_path_factory):
    """The package generated from the live server's /api/schema/, imported."""
    root = tmp_path_factory.mktemp("generated-client")
    served = httpx.get(
        f"{live_server.url}/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}, timeout=30
    )
    assert served.status_code == 200, served.text
    (root / "openapi.json").write_bytes(served.content)
    # No post hooks: the generator would run ruff from $PATH on the output.
    (root / "config.yaml").write_text(f"post_hooks: []\npackage_name_override: {PACKAGE}\n")
    result = subprocess.run(
        [
            sys.executable, "-m", "openapi_python_client", "generate", "--path", str(root / "openapi.json"),
            "--meta", "none", "--output-path", str(root / PACKAGE), "--config", str(root / "config.yaml"),
        ],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def api(generated, name):
    module, operation = name.rsplit(".", 1)
    return importlib.import_module(f"{PACKAGE}.api.{module}.{operation}")


@pytest.fixture
def plain_http_cookie(settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "REFRESH_COOKIE_SECURE": False}


def test_login_me_sessions_refresh_logout_through_the_generated_client(generated, live_server, user, plain_http_cookie):
    # Repro: a client generated from the schema could not parse login's 401 (documented "No response body")
    # or any error, and knew nothing of the refresh cookie.
    from gatehouse_client.client import AuthenticatedClient, Client
    from gatehouse_client.models import Error, LoginRequest, LoginResponse, Session, TokenResponse, User

    jar = CookieJar()  # shared by every client below, as one browser's

    def authenticated(access):
        return AuthenticatedClient(base_url=live_server.url, token=access, cookies=jar, raise_on_unexpected_status=True)

    public = Client(base_url=live_server.url, cookies=jar, raise_on_unexpected_status=True)

    wrong = api(generated, "auth.auth_login_create").sync(client=public, body=LoginRequest("alice", "wrong password"))
    assert isinstance(wrong, Error) and wrong.code == "invalid_credentials"

    login = api(generated, "auth.auth_login_create").sync_detailed(client=public, body=LoginRequest("alice", PASSWORD))
    assert login.status_code == 200 and isinstance(login.parsed, LoginResponse)
    assert login.parsed.user.username == "alice" and login.parsed.token_type == "Bearer"
    [cookie] = [cookie for cookie in jar if cookie.name == "refresh_token"]
    assert cookie.path == "/api/auth/"
    first_refresh = cookie.value
    client = authenticated(login.parsed.access)

    me = api(generated, "account.auth_me_retrieve").sync(client=client)
    assert isinstance(me, User) and me.id == user.pk and me.username == "alice"

    sessions = api(generated, "sessions.auth_sessions_list").sync(client=client)
    assert [type(session) for session in sessions] == [Session] and sessions[0].current is True

    refreshed = api(generated, "auth.auth_refresh_create").sync(client=client)
    assert isinstance(refreshed, TokenResponse) and refreshed.access != login.parsed.access
    assert [cookie.value for cookie in jar if cookie.name == "refresh_token"] != [first_refresh]
    client = authenticated(refreshed.access)
    assert api(generated, "account.auth_me_retrieve").sync(client=client).username == "alice"

    logout = api(generated, "auth.auth_logout_create").sync_detailed(client=client)
    assert logout.status_code == 204
    assert [cookie for cookie in jar if cookie.name == "refresh_token"] == []

    ended = api(generated, "account.auth_me_retrieve").sync(client=client)
    assert isinstance(ended, Error) and ended.code == "session_ended"
    again = api(generated, "auth.auth_refresh_create").sync_detailed(client=public)
    assert again.status_code == 401 and again.parsed.code == "refresh_invalid"
    assert again.headers["WWW-Authenticate"].startswith("Bearer")


def test_validation_errors_come_back_as_the_error_model_with_fields(generated, live_server, db):
    from gatehouse_client.client import Client
    from gatehouse_client.models import Error, RegisterRequest

    client = Client(base_url=live_server.url, raise_on_unexpected_status=True)
    answer = api(generated, "auth.auth_register_create").sync(
        client=client, body=RegisterRequest(username="bob", email="not-an-address", password="x")
    )

    assert isinstance(answer, Error) and answer.code == "invalid"
    assert "email" in answer.fields.additional_properties
    assert all(isinstance(message, str) for message in answer.fields["email"])
