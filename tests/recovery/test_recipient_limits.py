"""Mail to one address is limited per recipient, whoever asks (issue 19, item 8)."""
import pytest
from rest_framework.test import APIClient

from accounts.mail.models import OutboxMessage
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db

OUTSIDE = "victim@outside.example"


@pytest.fixture(autouse=True)
def _site(settings, smtp_server):
    settings.SITE_URL = "https://gatehouse.test"


def test_change_of_address_mail_is_limited_per_recipient_across_accounts_and_networks(make_user):
    # Repro: three accounts on three IPs sent 30 confirmations to one outside address in seconds.
    devices = []
    for number in range(3):
        make_user(f"user{number}")
        device = APIClient(REMOTE_ADDR=f"198.51.100.{number}")
        response = login(device, f"user{number}", PASSWORD)
        device.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
        devices.append(device)
    answers = [
        devices[number % 3].post(
            "/api/auth/email/change/", {"new_email": spelling, "password": PASSWORD}, format="json"
        )
        for number, spelling in enumerate([OUTSIDE, "VICTIM@outside.example", "victim@outsidｅ.example", OUTSIDE])
    ]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    assert answers[-1].json()["code"] == "throttled" and int(answers[-1]["Retry-After"]) > 0
    assert OutboxMessage.objects.filter(to__iexact=OUTSIDE).count() == 3
    # Another recipient is not held back.
    assert devices[0].post("/api/auth/email/change/", {"new_email": "other@outside.example", "password": PASSWORD},
                           format="json").status_code == 202


@pytest.mark.parametrize("route", ["/api/auth/password-reset/", "/api/auth/email/verify/resend/"])
def test_reset_and_resend_are_limited_per_address_in_every_spelling(make_user, route):
    make_user("erin")
    spellings = ["erin@example.com", "ERIN@example.com", "erin@examplｅ.com"]
    for number, spelling in enumerate(spellings):
        answer = APIClient().post(route, {"email": spelling}, format="json", REMOTE_ADDR=f"203.0.113.{number}")
        assert answer.status_code == 202
    throttled = APIClient().post(route, {"email": "erin@example.coｍ"}, format="json", REMOTE_ADDR="203.0.113.9")
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
