import pytest

from accounts import background
from accounts.webhooks import endpoints, sender, subscriptions
from tests.webhooks.receiver import Receiver

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture(autouse=True)
def _subscriptions_forgotten():
    """A test's endpoints vanish with its transaction, which no signal reports: forget them on both sides."""
    subscriptions.forget()
    yield
    sender.stop()
    subscriptions.forget()


@pytest.fixture
def sender_thread(transactional_db, settings):
    """The running server's background sender, on; stopped before the test database is emptied."""
    settings.GATEHOUSE = {**settings.GATEHOUSE, "WEBHOOK_SENDER_THREAD": True}
    yield
    background.stop_all()  # the setting starts the back-channel logout sender too


@pytest.fixture
def receiver():
    running = Receiver(SECRET).up()
    yield running
    running.down()


@pytest.fixture
def subscribe(db):
    def make(url, events, secret=SECRET):
        return endpoints.set_endpoint(url=url, events=events, secret=secret)[0]

    return make
