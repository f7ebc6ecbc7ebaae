import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from accounts import background, conf
from accounts.limits.counters import counters
from accounts.sessions import live_sessions
from accounts.sessions.verified_tokens import verified_tokens
from tests import run_cache

PASSWORD = "correct horse battery staple"


def wait_until(condition, *, timeout=20.0, interval=0.01, what="the condition"):
    """Poll ``condition`` until it is truthy; fail after a generous ``timeout`` seconds.

    For what another process learns a moment later: on PostgreSQL each
    process's live-session memory hears of a change made elsewhere
    (raw SQL, another server) by notification, within milliseconds.
    """
    import time

    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)
    return result


@pytest.fixture(scope="session", autouse=True)
def _background_threads_stopped_before_the_database_goes(django_db_setup):
    """The live-session listener and the queue senders use connections of their own: end them before the test
    database is dropped (a sender's next round would log that its database does not exist)."""
    yield
    background.stop_all()
    live_sessions.stop()


@pytest.fixture(autouse=True)
def _queue_senders_stopped():
    """A queue sender a test started (its setting on, then a request or a commit) ends with that test.

    The first request a process serves starts every enabled sender: the webhook setting also starts the
    back-channel logout sender, which would otherwise deliver other tests' rows in the background.
    """
    yield
    background.stop_all()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle and backoff counters, and verified tokens, must not leak from one test into the next.

    Only this run's keys are emptied (``tests/run_cache.py``): another run may share the Redis database.
    """
    run_cache.clear(caches["default"])
    counters.clear_fallback()
    verified_tokens.clear()
    yield
    run_cache.clear(caches["default"])
    counters.clear_fallback()
    verified_tokens.clear()


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def make_user(django_user_model):
    def make(username="alice", password=PASSWORD, **extra):
        extra.setdefault("email", f"{username}@example.com")
        return django_user_model.objects.create_user(username=username, password=password, **extra)

    return make


@pytest.fixture
def user(make_user):
    return make_user()


class LoggedIn:
    """A client after a successful login: its access token and refresh cookie."""

    def __init__(self, client, response):
        self.client = client
        self.response = response
        self.access = response.json()["access"]
        self.refresh_token = response.cookies[conf.cookie_name()].value

    @property
    def bearer(self):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.access}"}

    def get(self, path, **extra):
        return self.client.get(path, **self.bearer, **extra)

    def post(self, path, data=None, **extra):
        return self.client.post(path, data, format="json", **self.bearer, **extra)

    def delete(self, path, **extra):
        return self.client.delete(path, **self.bearer, **extra)

    def refresh(self, token=None):
        """POST /api/auth/refresh/ with ``token`` (default: the latest cookie)."""
        self.client.cookies[conf.cookie_name()] = self.refresh_token if token is None else token
        response = self.client.post("/api/auth/refresh/")
        if response.status_code == 200:
            self.access = response.json()["access"]
            self.refresh_token = response.cookies[conf.cookie_name()].value
        return response


def login(client, username="alice", password=PASSWORD, remember=None, **extra):
    body = {"username": username, "password": password}
    if remember is not None:
        body["remember"] = remember
    return client.post("/api/auth/login/", body, format="json", **extra)


@pytest.fixture
def logged_in(client, user):
    response = login(client)
    assert response.status_code == 200, response.content
    return LoggedIn(client, response)


@pytest.fixture
def log_in(db):
    """Log a user in from a fresh client (a separate device)."""

    def do(username="alice", password=PASSWORD, **extra):
        device = APIClient()
        response = login(device, username, password, **extra)
        assert response.status_code == 200, response.content
        return LoggedIn(device, response)

    return do


from tests.smtp import smtp_down, smtp_server  # noqa: E402,F401  (fixtures: a real SMTP server)
