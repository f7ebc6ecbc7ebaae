"""The admin and second factors: what a user has (never a secret), the 2FA column, the reset action."""
import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.mail.models import OutboxMessage
from accounts.mfa.models import MfaChallenge, RecoveryCode, TotpDevice
from accounts.models import SecurityEvent, SecurityEventKind
from tests.admin.test_admin import USERS, offered_actions, run_action
from tests.conftest import login
from tests.mfa.conftest import clock, enrol, first_step  # noqa: F401  (clock: a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_browser(make_user):
    root = make_user("root", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(root)
    browser.user = root
    return browser


@pytest.fixture
def alice_enrolled(clock, logged_in):
    return enrol(logged_in)


def test_the_user_page_shows_the_factors_and_never_a_secret(alice_enrolled, admin_browser, django_user_model):
    alice = django_user_model.objects.get(username="alice")

    page = admin_browser.get(f"{USERS}{alice.pk}/change/").content.decode()

    assert "Two-step sign-in" in page
    assert "Authenticator app" in page and "Recovery codes" in page and "10 of 10 unused" in page
    device = TotpDevice.objects.get()
    assert alice_enrolled.secret not in page
    assert device.encrypted_secret not in page and device.encrypted_secret.split(".")[1][:20] not in page
    for digest in RecoveryCode.objects.values_list("digest", flat=True):
        assert digest not in page
    for code in alice_enrolled.recovery_codes:
        assert code not in page


def test_a_user_without_factors_says_so(user, admin_browser):
    page = admin_browser.get(f"{USERS}{user.pk}/change/").content.decode()

    assert "None: a login needs only the password." in page


def test_the_user_list_has_a_2fa_column_and_filter(alice_enrolled, admin_browser, make_user):
    make_user("bob")

    page = admin_browser.get(USERS).content.decode()
    assert "2FA" in page
    filtered = admin_browser.get(USERS, {"mfa_enabled__exact": "1"})
    assert filtered.status_code == 200
    assert [user.username for user in filtered.context["cl"].result_list] == ["alice"]


def test_reset_removes_every_factor_records_the_admin_and_mails_the_user(
    alice_enrolled, admin_browser, django_user_model, client
):
    # repro: a user who lost their phone gets back in with the password alone, and the reset is on record
    alice = django_user_model.objects.get(username="alice")
    first_step(client)  # a pending second step dies with the reset

    response = run_action(admin_browser, USERS, "reset_two_step_sign_in", [alice.pk], confirm=True, REMOTE_ADDR="192.0.2.9")

    assert "Reset two-step sign-in of 1 user." in response.content.decode()
    assert not TotpDevice.objects.exists() and not RecoveryCode.objects.exists() and not MfaChallenge.objects.exists()
    alice.refresh_from_db()
    assert not alice.mfa_enabled
    assert login(client).status_code == 200
    (event,) = SecurityEvent.objects.filter(kind=SecurityEventKind.MFA_RESET)
    assert (event.user, event.actor, event.ip_address) == (alice, admin_browser.user, "192.0.2.9")
    (mail,) = OutboxMessage.objects.filter(subject="Two-step sign-in was reset on your account")
    assert mail.to == "alice@example.com"
    assert "An administrator reset two-step sign-in" in mail.body_text
    assert "192.0.2.9" not in mail.body_text  # the administrator's address is not the user's business


def test_reset_of_a_user_without_factors_does_nothing(user, admin_browser):
    response = run_action(admin_browser, USERS, "reset_two_step_sign_in", [user.pk], confirm=True)

    assert "Reset two-step sign-in of 0 users." in response.content.decode()
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.MFA_RESET).exists()


def test_staff_who_may_only_view_users_get_no_reset(alice_enrolled, make_user, django_user_model):
    viewer = make_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(content_type__app_label="accounts", codename="view_user"))
    browser = Client()
    browser.force_login(viewer)
    alice = django_user_model.objects.get(username="alice")

    assert "reset_two_step_sign_in" not in offered_actions(browser.get(USERS))
    run_action(browser, USERS, "reset_two_step_sign_in", [alice.pk], confirm=True)
    assert TotpDevice.objects.filter(confirmed_at__isnull=False).exists()
