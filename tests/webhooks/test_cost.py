"""What emitting costs the hot paths, counted as tests/test_query_budgets.py counts them."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.webhooks import kinds, subscriptions
from tests.conftest import LoggedIn, login
from tests.test_query_budgets import assert_one_transaction, statements

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_new_device_notice(settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "MAIL_NOTICES": frozenset()}


def test_with_no_endpoint_a_login_writes_nothing_more_and_reads_the_subscriptions_once_per_process(client, user):
    subscriptions.forget()
    with statements() as first:
        assert login(client).status_code == 200
    with statements() as second:
        assert login(client).status_code == 200
    assert [sql for sql in first if "webhook" in sql.lower()] == [
        sql for sql in first if sql.lstrip().upper().startswith("SELECT") and "webhookendpoint" in sql.lower()
    ] and len([sql for sql in first if "webhook" in sql.lower()]) == 1
    assert [sql.split()[0] for sql in second] == ["SELECT", "UPDATE", "INSERT", "INSERT"], second


def test_an_endpoint_of_other_events_costs_a_login_nothing(client, user, subscribe):
    subscribe("https://hooks.example.com/in", "user.created,password.changed")
    assert login(client).status_code == 200  # the first emit after a change of endpoints reads them once
    with statements() as counted:
        assert login(client).status_code == 200
    assert [sql.split()[0] for sql in counted] == ["SELECT", "UPDATE", "INSERT", "INSERT"], counted


def test_a_subscribed_endpoint_costs_a_login_one_insert_in_its_transaction(client, user, subscribe):
    subscribe("https://hooks.example.com/in", "session.created")
    assert login(client).status_code == 200  # the first emit after a change of endpoints reads them once
    with CaptureQueriesContext(connection) as captured, statements() as counted:
        response = login(client)
    assert response.status_code == 200
    assert [sql.split()[0] for sql in counted] == ["SELECT", "UPDATE", "INSERT", "INSERT", "INSERT"], counted
    assert "webhookdelivery" in counted[4].lower()
    assert_one_transaction(captured, writes=counted[1:])


def test_authenticated_gets_and_refreshes_cost_the_same_with_every_event_subscribed(client, user, subscribe):
    subscribe("https://hooks.example.com/in", ",".join(kinds.EVENT_TYPES))
    logged_in = LoggedIn(client, login(client))
    with statements() as get:
        assert logged_in.get("/api/auth/me/").status_code == 200
    with statements() as refresh:
        assert logged_in.refresh().status_code == 200
    assert len(get) == 1, get
    assert [sql.split()[0] for sql in refresh] == ["SELECT", "UPDATE"], refresh
