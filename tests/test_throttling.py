import pytest

from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight_rates(settings):
    rates = {"login_ip": "5/min", "refresh_ip": "4/min", "register_ip": "10/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    from rest_framework.throttling import SimpleRateThrottle

    # DRF reads the rates once at import; point the throttles at the new ones.
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    yield rates
    SimpleRateThrottle.THROTTLE_RATES = original


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
