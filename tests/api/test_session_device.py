"""The app shows the server's name for a device: sessions and activity carry it, every old field kept."""
import pytest

from tests.conftest import login

pytestmark = pytest.mark.django_db

HEADLESS = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36"


def test_sessions_carry_the_servers_device_label_and_keep_every_field(user, client):
    # Repro (issue 19, item 14): the app parsed user agents itself and disagreed with the server.
    access = login(client, HTTP_USER_AGENT=HEADLESS).json()["access"]

    (item,) = client.get("/api/auth/sessions/", HTTP_AUTHORIZATION=f"Bearer {access}").json()

    assert {"id", "created_at", "last_used_at", "expires_at", "ip_address", "user_agent", "current"} <= set(item)
    assert (item["user_agent"], item["device"], item["device_kind"]) == (HEADLESS, "Headless Chrome on Linux", "desktop")


def test_activity_carries_the_servers_device_label(user, client):
    access = login(client, HTTP_USER_AGENT=HEADLESS).json()["access"]

    body = client.get("/api/auth/activity/", HTTP_AUTHORIZATION=f"Bearer {access}").json()

    (event,) = [row for row in body["results"] if row["kind"] == "login_succeeded"]
    assert event["device"] == "Headless Chrome on Linux" and event["user_agent"] == HEADLESS
