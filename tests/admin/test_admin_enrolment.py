"""``MFA_REQUIRED`` in the admin: a staff account without a second factor sees where to enrol, nothing else."""
import pytest
from django.test import Client

from tests.conftest import PASSWORD
from tests.mfa.conftest import clock, enrol  # noqa: F401  (clock: a fixture)

pytestmark = pytest.mark.django_db

UA = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}


@pytest.fixture
def staff_required(settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "MFA_REQUIRED": "staff"}


@pytest.fixture
def root(make_user):
    return make_user("root", is_staff=True, is_superuser=True)


def admin_browser(username="root"):
    browser = Client()
    response = browser.post(
        "/admin/login/", {"username": username, "password": PASSWORD, "next": "/admin/"}, **UA
    )
    assert response.status_code == 302 and response["Location"] == "/admin/", response
    return browser


@pytest.mark.parametrize("path", ["/admin/", "/admin/accounts/user/", "/admin/accounts/refreshsession/"])
def test_a_staff_account_without_a_factor_cannot_use_the_admin(staff_required, root, path):
    """Repro: with MFA_REQUIRED=staff the admin let a staff account without a factor do everything."""
    browser = admin_browser()
    page = browser.get(path, **UA)
    assert page.status_code == 403
    text = page.content.decode()
    assert 'data-testid="admin-enrolment-required"' in text and 'href="/account"' in text


def test_it_cannot_post_changes_either(staff_required, root, make_user):
    bob = make_user("bob")
    browser = admin_browser()
    response = browser.post(f"/admin/accounts/user/{bob.pk}/change/", {"username": "mallory"}, **UA)
    assert response.status_code == 403
    bob.refresh_from_db()
    assert bob.username == "bob"


def test_the_logout_still_works(staff_required, root):
    browser = admin_browser()
    assert browser.post("/admin/logout/", **UA).status_code in (200, 302)
    assert browser.get("/admin/", **UA).status_code == 302  # to the login page


def test_enrolling_in_the_app_opens_the_admin(staff_required, root, clock, log_in):
    browser = admin_browser()
    assert browser.get("/admin/", **UA).status_code == 403
    enrol(log_in("root"))
    assert browser.get("/admin/", **UA).status_code == 200


def test_without_the_policy_nothing_changes(root):
    assert admin_browser().get("/admin/", **UA).status_code == 200
