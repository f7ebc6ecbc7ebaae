"""A login from a device the account has not used before is mailed (user-agent family + IPv4 /24 or IPv6 /64)."""
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.devices import detection
from accounts.devices.models import KnownDevice
from accounts.limits.net import ClientInfo
from accounts.mail import outbox
from accounts.mail.models import OutboxMessage
from accounts.useragent import device_family
from tests.conftest import login
from tests.smtp import body_text

pytestmark = pytest.mark.django_db

SUBJECT = "New sign-in to your Gatehouse account"
FIREFOX_128 = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
FIREFOX_129 = "Mozilla/5.0 (X11; Linux x86_64; rv:129.0) Gecko/20100101 Firefox/129.0"
CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
    "Safari/537.36 Edg/126.0.0.0"
)


@pytest.fixture(autouse=True)
def _site(settings, smtp_server):
    settings.SITE_URL = "https://gatehouse.test"


def log_in_from(ip, user_agent=FIREFOX_128, username="alice"):
    response = login(APIClient(HTTP_USER_AGENT=user_agent), username, REMOTE_ADDR=ip)
    assert response.status_code == 200, response.content
    return response


def notices_sent(smtp_server):
    while outbox.deliver_due():
        pass
    return [m for m in smtp_server.messages if m["Subject"] == SUBJECT]


def test_the_same_device_twice_is_one_notice(user, smtp_server):
    # repro: a first login from A (silent: the account had no device yet), B twice → one notice; A again → none
    log_in_from("192.0.2.10")
    log_in_from("198.51.100.7", CHROME_MAC)
    log_in_from("198.51.100.7", CHROME_MAC)
    log_in_from("192.0.2.10")
    (mail,) = notices_sent(smtp_server)
    assert mail["To"] == "alice@example.com"
    assert "Chrome on macOS" in body_text(mail) and "198.51.100.7" in body_text(mail)
    assert mail.get_body(preferencelist=("html",)) is not None
    assert KnownDevice.objects.filter(user=user).count() == 2


def test_the_same_network_and_browser_family_is_the_same_device(user, smtp_server):
    # repro: another host in the same /24, a newer Firefox, another address in the same IPv6 /64 → no notice
    log_in_from("192.0.2.10")
    log_in_from("192.0.2.200", FIREFOX_129)
    log_in_from("2001:db8:1:2::1")
    log_in_from("2001:db8:1:2:ffff::9")
    assert len(notices_sent(smtp_server)) == 1  # the IPv6 /64 was new once


def test_another_network_or_another_browser_is_a_new_device(user, smtp_server):
    log_in_from("192.0.2.10")
    log_in_from("192.0.3.10")  # another /24
    log_in_from("192.0.2.10", EDGE_WINDOWS)  # another browser family
    log_in_from("2001:db8:1:3::1")  # another /64
    assert len(notices_sent(smtp_server)) == 3


def test_the_device_an_account_signed_up_on_is_known(db, smtp_server, settings):
    # repro: sign up from a browser, then log in from it → no notice; from another → one
    settings.GATEHOUSE = {**settings.GATEHOUSE, "SIGNUP_EMAIL_VERIFICATION": "none"}
    body = {"username": "carol", "email": "carol@example.com", "password": "a long enough passphrase"}
    signup = APIClient(HTTP_USER_AGENT=FIREFOX_128).post("/api/auth/register/", body, format="json",
                                                         REMOTE_ADDR="192.0.2.10")
    assert signup.status_code == 201
    password = body["password"]
    assert login(APIClient(HTTP_USER_AGENT=FIREFOX_128), "carol", password, REMOTE_ADDR="192.0.2.11").status_code == 200
    assert notices_sent(smtp_server) == []
    assert login(APIClient(HTTP_USER_AGENT=SAFARI_IPHONE), "carol", password, REMOTE_ADDR="192.0.2.11").status_code == 200
    (mail,) = notices_sent(smtp_server)
    assert "Safari on iOS" in body_text(mail)


def test_nothing_is_looked_up_or_stored_when_turned_off(user, smtp_server, settings):
    # repro: MAIL_NOTICES without new_device → logins from new devices mail nothing and store no device
    settings.GATEHOUSE = {**settings.GATEHOUSE, "MAIL_NOTICES": frozenset({"password_changed"})}
    log_in_from("192.0.2.10")
    log_in_from("198.51.100.7", CHROME_MAC)
    assert notices_sent(smtp_server) == [] and not KnownDevice.objects.exists()


def test_a_failed_or_refused_login_records_no_device(user, smtp_server, settings):
    assert login(APIClient(), password="wrong password", REMOTE_ADDR="192.0.2.10").status_code == 401
    assert not KnownDevice.objects.exists()


def test_last_seen_is_written_at_most_once_a_day(user):
    client = ClientInfo(ip_address="192.0.2.10", user_agent=FIREFOX_128)
    detection.note_login(user=user, client=client)
    (device,) = KnownDevice.objects.all()
    first = device.last_seen_at
    with time_machine.travel(timezone.now() + timedelta(hours=23)):
        detection.note_login(user=user, client=client)
    device.refresh_from_db()
    assert device.last_seen_at == first
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        detection.note_login(user=user, client=client)
    device.refresh_from_db()
    assert device.last_seen_at > first


def test_an_account_keeps_a_bounded_number_of_devices(user, smtp_server):
    for number in range(detection._KEEP + 5):
        detection.note_login(user=user, client=ClientInfo(ip_address=f"10.{number}.0.1", user_agent=FIREFOX_128))
    assert KnownDevice.objects.filter(user=user).count() == detection._KEEP
    assert OutboxMessage.objects.count() == detection._KEEP + 4  # every device but the first was new


def test_only_a_digest_is_stored(user):
    detection.note_login(user=user, client=ClientInfo(ip_address="192.0.2.10", user_agent=FIREFOX_128))
    (device,) = KnownDevice.objects.values()
    assert "192.0.2" not in str(device) and "Firefox" not in str(device)


@pytest.mark.parametrize(
    "user_agent, family",
    [(FIREFOX_128, "Firefox on Linux"), (CHROME_MAC, "Chrome on macOS"), (SAFARI_IPHONE, "Safari on iOS"),
     (EDGE_WINDOWS, "Edge on Windows"), ("curl/8.5.0", "curl"), ("python-requests/2.32", "python-requests"),
     ("", "an unknown client"),
     ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile "
      "Safari/537.36", "Chrome on Android")],
)
def test_device_families(user_agent, family):
    assert device_family(user_agent) == family


@pytest.mark.parametrize(
    "ip, network",
    [("192.0.2.77", "192.0.2.0/24"), ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"), ("::ffff:192.0.2.9", "192.0.2.0/24"),
     (None, "unknown")],
)
def test_networks(ip, network):
    assert detection.network(ip) == network


def test_an_admin_login_from_a_new_device_is_mailed_too(make_user, smtp_server):
    # Repro (issue 19, item 3: every way in through the same checks): a sign-in to the Django admin from a
    # device the account had never used mailed nothing, while the same sign-in through the API did.
    from django.test import Client

    from tests.conftest import PASSWORD

    make_user("root", is_staff=True, is_superuser=True)
    log_in_from("192.0.2.10", username="root")  # the account's first device: nothing to tell
    admin = Client(HTTP_USER_AGENT=CHROME_MAC, REMOTE_ADDR="198.51.100.7")

    response = admin.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"})

    assert response.status_code == 302 and response["Location"] == "/admin/"
    (mail,) = notices_sent(smtp_server)
    assert "Chrome on macOS" in body_text(mail) and "198.51.100.7" in body_text(mail)


def test_a_browsers_user_agent_ending_in_app_does_not_put_its_words_in_the_notice_or_the_session_list(user, smtp_server):
    # Repro: a login with User-Agent "Gatehouse support: call +1 555 0100 now (app)" read as an OpenID
    # application's session ("<name> (app)", which only a grant stores): its free text went verbatim into the
    # new-device mail and the session list ("… (app)"), where a product name of safe characters was before.
    spoof = "Gatehouse support: call +1 555 0100 now (app)"
    log_in_from("192.0.2.10")
    response = log_in_from("198.51.100.7", spoof)
    (mail,) = notices_sent(smtp_server)
    assert "call +1 555 0100" not in body_text(mail)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    devices = [session["device"] for session in client.get("/api/auth/sessions/").json()]
    assert not any("(app)" in device or "555" in device for device in devices), devices
