"""The admin shows a user's trusted devices on their page."""
import pytest
from django.test import Client

from accounts.devices import trusted
from accounts.limits.net import ClientInfo
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

UA = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}


def test_the_user_page_lists_trusted_devices(make_user):
    make_user("root", is_staff=True, is_superuser=True)
    alice = make_user("alice")
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    trusted.trust(user=alice, client=ClientInfo(ip_address="203.0.113.9", user_agent=firefox))
    browser = Client()
    browser.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"}, **UA)
    page = browser.get(f"/admin/accounts/user/{alice.pk}/change/", **UA)
    assert page.status_code == 200
    text = page.content.decode().lower()
    assert "trusted devices" in text and "firefox on linux" in text and "203.0.113.9" in text
