"""Security notices by mail, through a real SMTP server: each one sent, and not sent when MAIL_NOTICES leaves it out."""
import re

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from accounts.mail import notices, outbox
from accounts.mail.models import OutboxMessage
from accounts.models import RefreshSession
from tests.conftest import PASSWORD, login
from tests.smtp import body_text

pytestmark = pytest.mark.django_db

SITE = "https://gatehouse.test"
ALL = frozenset({
    "password_changed", "password_reset", "email_changed", "refresh_reuse", "new_device", "username_changed",
    "account_deleted",
})
NEW_PASSWORD = "a brand new passphrase 42"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)


@pytest.fixture(autouse=True)
def _site(settings, smtp_server):
    settings.SITE_URL = SITE


@pytest.fixture
def only(settings):
    """MAIL_NOTICES as given (a set of notice names)."""

    def set_notices(*names):
        settings.GATEHOUSE = {**settings.GATEHOUSE, "MAIL_NOTICES": frozenset(names)}

    return set_notices


def delivered(smtp_server, count=0):
    while outbox.deliver_due():
        pass
    return smtp_server.wait_for(count)


def subjects(smtp_server):
    return [m["Subject"] for m in delivered(smtp_server)]


def test_every_notice_is_on_by_default(settings):
    assert settings.GATEHOUSE["MAIL_NOTICES"] == ALL


# --- password changed --------------------------------------------------------------------------------------------


def change_password(device):
    return device.post("/api/auth/password/", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})


def test_a_password_change_is_mailed(logged_in, smtp_server):
    # repro: POST /api/auth/password/ → 204 and a "password was changed" mail to the account, with the IP and device
    assert change_password(logged_in).status_code == 204
    (mail,) = [m for m in delivered(smtp_server, 1) if m["Subject"] == "Your Gatehouse password was changed"]
    assert mail["To"] == "alice@example.com"
    assert "127.0.0.1" in body_text(mail) and f"{SITE}/forgot-password" in body_text(mail)
    assert mail.get_body(preferencelist=("html",)) is not None


def test_a_password_change_is_not_mailed_when_turned_off(logged_in, smtp_server, only):
    only(*(ALL - {"password_changed"}))
    assert change_password(logged_in).status_code == 204
    assert "Your Gatehouse password was changed" not in subjects(smtp_server)


def test_a_wrong_current_password_mails_nothing(logged_in, smtp_server):
    response = logged_in.post("/api/auth/password/", {"current_password": "nope", "new_password": NEW_PASSWORD})
    assert response.status_code == 400
    assert not OutboxMessage.objects.exists()


# --- password reset ---------------------------------------------------------------------------------------------


def reset(smtp_server):
    client = APIClient()
    assert client.post("/api/auth/password-reset/", {"email": "alice@example.com"}, format="json").status_code == 202
    (mail,) = delivered(smtp_server, 1)
    token = re.search(r"token=([A-Za-z0-9_\-.]+)", body_text(mail)).group(1)
    body = {"token": token, "new_password": NEW_PASSWORD}
    assert client.post("/api/auth/password-reset/confirm/", body, format="json").status_code == 204


def test_a_password_reset_is_mailed(user, smtp_server):
    reset(smtp_server)
    assert "Your Gatehouse password was reset" in subjects(smtp_server)


def test_a_password_reset_is_not_mailed_when_turned_off(user, smtp_server, only):
    # repro: MAIL_NOTICES without password_reset → the reset works and only the link was mailed
    only(*(ALL - {"password_reset"}))
    reset(smtp_server)
    assert subjects(smtp_server) == ["Reset your Gatehouse password"]


# --- address changed -----------------------------------------------------------------------------------------------


def change_address(logged_in, smtp_server):
    response = logged_in.post("/api/auth/email/change/", {"new_email": "alice@new.example", "password": PASSWORD})
    assert response.status_code == 202
    (to_new,) = [m for m in delivered(smtp_server, 2) if m["To"] == "alice@new.example"]
    token = re.search(r"token=([A-Za-z0-9_\-.]+)", body_text(to_new)).group(1)
    assert APIClient().post("/api/auth/email/verify/", {"token": token}, format="json").status_code == 204


def test_an_address_change_is_mailed_to_the_old_address(logged_in, smtp_server):
    change_address(logged_in, smtp_server)
    (notice,) = [m for m in delivered(smtp_server, 3) if m["Subject"] == "Your Gatehouse email address was changed"]
    assert notice["To"] == "alice@example.com"
    assert "alice@new.example" in body_text(notice)


def test_an_address_change_is_not_mailed_when_turned_off(logged_in, smtp_server, only):
    only(*(ALL - {"email_changed"}))
    change_address(logged_in, smtp_server)
    assert "Your Gatehouse email address was changed" not in subjects(smtp_server)


# --- refresh-token reuse -----------------------------------------------------------------------------------------


def reuse(logged_in):
    replaced = logged_in.refresh_token
    assert logged_in.refresh().status_code == 200
    thief = APIClient(HTTP_USER_AGENT=CHROME_WINDOWS, REMOTE_ADDR="203.0.113.9")
    thief.cookies["refresh_token"] = replaced
    assert thief.post("/api/auth/refresh/").status_code == 401


def test_a_reuse_is_mailed_with_the_device_and_the_ip(user, smtp_server):
    # repro: a replaced refresh token presented again from another client → the session ends and a mail names
    # that client's device and IP, and the session's own device
    from tests.conftest import LoggedIn

    client = APIClient(HTTP_USER_AGENT=FIREFOX)
    logged_in = LoggedIn(client, login(client))
    reuse(logged_in)
    (mail,) = [m for m in delivered(smtp_server, 1) if "used twice" in m["Subject"]]
    text = body_text(mail)
    assert mail["To"] == "alice@example.com"
    assert "Chrome on Windows" in text and "203.0.113.9" in text
    assert "Firefox on Linux" in text and "127.0.0.1" in text
    assert RefreshSession.objects.get().revoked_reason == "reuse_detected"


def test_a_reuse_notice_is_queued_in_the_rotation_transaction(logged_in, monkeypatch):
    # repro: the reuse path's transaction fails after the notice was queued → no notice is left behind
    from accounts.sessions import lifecycle

    def fail(*args, **kwargs):
        raise RuntimeError("the event could not be written")

    queued = []
    real = notices.refresh_reuse
    monkeypatch.setattr(notices, "refresh_reuse", lambda **kw: (queued.append(real(**kw)), fail())[1])
    replaced = logged_in.refresh_token
    logged_in.refresh()
    with pytest.raises(RuntimeError):
        lifecycle.rotate(refresh_token=replaced, client=_client("203.0.113.9"))
    assert queued and not OutboxMessage.objects.filter(subject__contains="used twice").exists()
    assert RefreshSession.objects.get().revoked_at is None  # rolled back together


def test_a_reuse_is_not_mailed_when_turned_off(logged_in, smtp_server, only):
    only(*(ALL - {"refresh_reuse"}))
    reuse(logged_in)
    assert not [s for s in subjects(smtp_server) if "used twice" in s]


def test_an_account_without_an_address_gets_no_notice(make_user, smtp_server):
    make_user("nomail", email="")
    client = APIClient()
    from tests.conftest import LoggedIn

    reuse(LoggedIn(client, login(client, "nomail")))
    with transaction.atomic():
        assert notices.password_changed(user=RefreshSession.objects.get().user, client=None) is None
    assert not OutboxMessage.objects.exists()


def _client(ip, user_agent=FIREFOX):
    from accounts.limits.net import ClientInfo

    return ClientInfo(ip_address=ip, user_agent=user_agent)
