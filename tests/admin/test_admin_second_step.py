"""The admin login asks for the same second step as the API; taking an account over needs a recent sign-in."""
import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from rest_framework.test import APIClient

from accounts.admin.reauth import AUTH_TIME
from accounts.mfa.models import TotpDevice
from accounts.models import SecurityEvent, SecurityEventKind
from tests.admin.test_admin import USERS, browser_for, run_action, superuser  # noqa: F401  (fixtures)
from tests.conftest import PASSWORD, login
from tests.mfa.conftest import clock, enrol  # noqa: F401  (clock: a fixture)

pytestmark = pytest.mark.django_db

SECOND_STEP = "/admin/login/second-step/"
UA = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}


@pytest.fixture
def staff_with_totp(clock, make_user, log_in):
    """A staff member (a superuser) whose account has a confirmed authenticator app."""
    make_user("root", is_staff=True, is_superuser=True)
    return enrol(log_in("root"))


def password_step(browser, username="root", password=PASSWORD, **extra):
    data = {"username": username, "password": password, "next": "/admin/"}
    return browser.post("/admin/login/", data, **{**UA, **extra})


def code_step(browser, code, **extra):
    return browser.post(SECOND_STEP, {"code": code}, **{**UA, **extra})


def has_admin_session(browser):
    return SESSION_KEY in browser.session and browser.get("/admin/", **UA).status_code == 200


def test_admin_login_with_totp_asks_for_the_second_step(staff_with_totp):
    # repro (issue 19, item 1): POST /admin/login/ with username and password gave a session
    browser = Client()
    successes = SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_SUCCEEDED, user__username="root")
    before = successes.count()  # the API login that enrolled the app

    response = password_step(browser)

    assert response.status_code == 302 and response["Location"] == SECOND_STEP
    assert not has_admin_session(browser)
    assert browser.get("/admin/", **UA).status_code == 302  # to the login page
    page = browser.get(SECOND_STEP, **UA)
    assert page.status_code == 200 and "Two-step sign-in" in page.content.decode()
    assert successes.count() == before

    done = code_step(browser, staff_with_totp.code(offset_steps=1))

    assert done.status_code == 302 and done["Location"] == "/admin/"
    assert has_admin_session(browser)
    event = SecurityEvent.objects.get(kind=SecurityEventKind.LOGIN_SUCCEEDED, user__username="root", reason="totp")
    assert event.ip_address == "127.0.0.1"


def test_the_reset_on_itself_is_out_of_reach_without_the_second_step(staff_with_totp, django_user_model):
    # repro: from a password-only admin session, "Reset two-step sign-in" on itself removed the factor
    browser = Client()
    password_step(browser)
    root = django_user_model.objects.get(username="root")

    response = run_action(browser, USERS, "reset_two_step_sign_in", [root.pk], **UA)

    assert TotpDevice.objects.filter(user=root).exists()
    assert "Log in" in response.content.decode()  # the action led to the login page
    assert login(APIClient(), "root").status_code == 202


def test_a_recovery_code_completes_the_admin_login(staff_with_totp):
    browser = Client()
    password_step(browser)

    done = code_step(browser, staff_with_totp.recovery_codes[0])

    assert done.status_code == 302 and has_admin_session(browser)
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_SUCCEEDED, reason="recovery_code").exists()


def test_wrong_codes_count_in_the_backoff_and_are_recorded(staff_with_totp):
    browser = Client()
    password_step(browser)

    for _ in range(6):
        response = code_step(browser, "000000")
        assert response.status_code == 200 and "not accepted" in response.content.decode()
    throttled = code_step(browser, staff_with_totp.code(offset_steps=1))

    assert throttled.status_code == 429 and int(throttled["Retry-After"]) >= 1
    assert not has_admin_session(browser)
    failed = SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, user__username="root",
                                          reason="code_invalid")
    assert failed.count() == 6
    # The same counters as the API login: its password step is slowed too.
    assert login(APIClient(), "root").status_code == 429


def test_the_pending_sign_in_is_bound_to_this_browser(staff_with_totp):
    browser = Client()
    password_step(browser)
    code = staff_with_totp.code(offset_steps=1)

    elsewhere = Client()
    assert code_step(elsewhere, code)["Location"] == "/admin/login/"
    # The same cookie from another user agent is not this browser either.
    thief = Client()
    thief.cookies = browser.cookies
    assert code_step(thief, code, HTTP_USER_AGENT="curl/8")["Location"] == "/admin/login/"
    assert not has_admin_session(elsewhere)


def test_the_pending_sign_in_expires_after_five_minutes(staff_with_totp, clock):
    browser = Client()
    password_step(browser)
    clock.shift(5 * 60 + 1)

    response = code_step(browser, staff_with_totp.code())

    assert response.status_code == 302 and response["Location"] == "/admin/login/"
    assert not has_admin_session(browser)


def test_the_pending_sign_in_works_once(staff_with_totp):
    browser = Client()
    password_step(browser)
    cookies_before = browser.cookies
    code_step(browser, staff_with_totp.code(offset_steps=1))
    browser.post("/admin/logout/", **UA)

    replay = Client()
    replay.cookies = cookies_before
    response = code_step(replay, staff_with_totp.recovery_codes[0])

    assert response["Location"] == "/admin/login/"
    assert not has_admin_session(replay)


def test_the_pending_sign_in_ends_when_the_password_changes(staff_with_totp, django_user_model):
    browser = Client()
    password_step(browser)
    root = django_user_model.objects.get(username="root")
    root.set_password("another long passphrase 42")
    root.save()

    assert code_step(browser, staff_with_totp.code(offset_steps=1))["Location"] == "/admin/login/"


def test_a_staff_member_without_a_factor_still_logs_in_with_the_password(make_user):
    make_user("root", is_staff=True, is_superuser=True)
    browser = Client()

    response = password_step(browser)

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert has_admin_session(browser)


# --- recent authentication of the acting admin --------------------------------


@pytest.fixture
def alice_with_totp(clock, logged_in):
    return enrol(logged_in)


def stale(browser):
    """Make the admin's sign-in older than REAUTH_MAX_AGE."""
    session = browser.session
    session[AUTH_TIME] = session[AUTH_TIME] - 3600
    session.save()


def test_reset_two_step_sign_in_asks_first_then_resets(alice_with_totp, superuser, django_user_model):
    alice = django_user_model.objects.get(username="alice")

    asked = run_action(superuser, USERS, "reset_two_step_sign_in", [alice.pk])

    assert "Reset two-step sign-in of the selected users?" in asked.content.decode()
    assert TotpDevice.objects.filter(user=alice).exists()
    done = superuser.post(USERS, {"action": "reset_two_step_sign_in", "_selected_action": [alice.pk], "post": "yes"},
                          follow=True)
    assert "Reset two-step sign-in of 1 user." in done.content.decode()
    assert not TotpDevice.objects.filter(user=alice).exists()


def test_reset_two_step_sign_in_needs_a_recent_sign_in_of_the_admin(alice_with_totp, superuser, django_user_model):
    alice = django_user_model.objects.get(username="alice")
    stale(superuser)
    data = {"action": "reset_two_step_sign_in", "_selected_action": [alice.pk], "post": "yes"}

    without = superuser.post(USERS, data)
    wrong = superuser.post(USERS, {**data, "password": "not it"})

    assert "Confirm it" in without.content.decode() and "Your password" in without.content.decode()
    assert "That password, code or passkey is not right." in wrong.content.decode()
    assert TotpDevice.objects.filter(user=alice).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, user__username="root",
                                        reason="admin_reauthentication").count() == 1

    done = superuser.post(USERS, {**data, "password": PASSWORD}, follow=True)

    assert "Reset two-step sign-in of 1 user." in done.content.decode()
    assert not TotpDevice.objects.filter(user=alice).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.REAUTHENTICATED, user__username="root").exists()


def test_an_admin_with_a_factor_confirms_with_password_and_code(staff_with_totp, clock, make_user, django_user_model):
    bob = make_user("bob")
    browser = Client()
    password_step(browser)
    code_step(browser, staff_with_totp.code(offset_steps=1))
    stale(browser)
    data = {"action": "deactivate_and_revoke_sessions", "_selected_action": [bob.pk], "post": "yes"}
    assert browser.post(USERS, data, **UA).status_code == 302  # deactivation needs no re-authentication
    root = django_user_model.objects.get(username="root")
    url = f"{USERS}{bob.pk}/password/"

    page = browser.get(url, **UA).content.decode()
    password_only = browser.post(url, {"_reauthenticate": "1", "password": PASSWORD}, **UA)
    clock.shift(60)  # the login spent the code of the step before
    with_code = browser.post(url, {"_reauthenticate": "1", "password": PASSWORD, "code": staff_with_totp.code()}, **UA)

    assert "Your password" in page and "Code from your authenticator app" in page
    assert password_only.status_code == 200 and "That password, code or passkey is not right." in password_only.content.decode()
    assert with_code.status_code == 302
    assert "password1" in browser.get(url, **UA).content.decode()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.REAUTHENTICATED, user=root, reason="admin:totp").exists()


def test_setting_a_password_needs_a_recent_sign_in(superuser, make_user):
    bob = make_user("bob")
    stale(superuser)
    url = f"{USERS}{bob.pk}/password/"
    new = {"password1": "a brand new passphrase 7", "password2": "a brand new passphrase 7", "usable_password": "true"}

    refused = superuser.post(url, new)

    assert refused.status_code == 200 and "Confirm it" in refused.content.decode()
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)
    assert superuser.post(url, {"_reauthenticate": "1", "password": PASSWORD}).status_code == 302
    assert superuser.post(url, new).status_code == 302
    bob.refresh_from_db()
    assert bob.check_password("a brand new passphrase 7")


@pytest.fixture
def staff_who_may_change_users(browser_for):
    return browser_for("helper", "accounts.change_user", "accounts.view_user")


def test_staff_cannot_reset_a_superusers_factors(staff_with_totp, staff_who_may_change_users, django_user_model):
    root = django_user_model.objects.get(username="root")
    data = {"action": "reset_two_step_sign_in", "_selected_action": [root.pk], "post": "yes"}

    response = staff_who_may_change_users.post(USERS, data, follow=True)

    assert "Only a superuser can reset the two-step sign-in of a superuser" in response.content.decode()
    assert TotpDevice.objects.filter(user=root).exists()


def test_staff_cannot_set_a_superusers_password(staff_who_may_change_users, make_user):
    root = make_user("root", is_staff=True, is_superuser=True)
    new = {"password1": "a brand new passphrase 7", "password2": "a brand new passphrase 7", "usable_password": "true"}

    response = staff_who_may_change_users.post(f"{USERS}{root.pk}/password/", new)

    assert response.status_code == 403
    root.refresh_from_db()
    assert root.check_password(PASSWORD)


def test_staff_may_still_set_a_staff_members_password(staff_who_may_change_users, make_user):
    bob = make_user("bob", is_staff=True)
    new = {"password1": "a brand new passphrase 7", "password2": "a brand new passphrase 7", "usable_password": "true"}

    assert staff_who_may_change_users.post(f"{USERS}{bob.pk}/password/", new).status_code == 302
    bob.refresh_from_db()
    assert bob.check_password("a brand new passphrase 7")


def test_a_wrong_code_is_not_shown_back(staff_with_totp):
    browser = Client()
    password_step(browser)

    page = code_step(browser, "123456").content.decode()

    assert "not accepted" in page and 'value="123456"' not in page
