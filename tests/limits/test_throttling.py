import pytest

from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight_rates(monkeypatch):
    rates = {"login_ip": "5/min", "refresh_ip": "4/min", "register_ip": "10/hour"}
    from rest_framework.throttling import SimpleRateThrottle

    # DRF reads the rates once, at import; point the throttles at these instead.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    return rates


def test_login_is_throttled_per_ip_across_accounts(client, user, tight_rates):
    for i in range(5):
        login(client, f"user{i}", "wrong", REMOTE_ADDR="203.0.113.5")

    assert login(client, REMOTE_ADDR="203.0.113.5").status_code == 429
    assert login(client, REMOTE_ADDR="203.0.113.6").status_code == 200


def test_forged_forwarded_for_does_not_bypass_the_ip_limit(client, user, tight_rates):
    for i in range(5):
        login(client, f"user{i}", "wrong", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")

    assert login(client, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429


def test_forwarded_for_is_used_behind_a_trusted_proxy(client, user, tight_rates, settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "TRUSTED_PROXY_COUNT": 1}
    for i in range(5):
        login(client, f"user{i}", "wrong", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")

    assert login(client, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    assert login(client, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 200


def test_refresh_guessing_is_throttled_per_ip(client, db, tight_rates):
    for _ in range(4):
        client.cookies["refresh_token"] = "0" * 32 + ".0." + "A" * 43
        assert client.post("/api/auth/refresh/").status_code == 401

    response = client.post("/api/auth/refresh/")

    assert response.status_code == 429
    assert "Retry-After" in response


def test_requests_arriving_together_are_all_counted(client, db, tight_rates):
    """Each request is one atomic increment, so a burst cannot slip through a read-then-write gap."""
    import threading

    from rest_framework.test import APIClient

    statuses = []
    start = threading.Barrier(8)

    def attempt():
        start.wait()
        statuses.append(APIClient().post("/api/auth/refresh/", REMOTE_ADDR="203.0.113.77").status_code)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert statuses.count(429) >= 8 - 4 * 2  # at most the rate, twice if the burst straddles two windows
    assert statuses.count(401) <= 4 * 2
