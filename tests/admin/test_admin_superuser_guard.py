"""Staff who are not superusers cannot take a superuser's account, nor make anyone one.

Repro (review of the admin's second step): a staff member with
``change_user`` could not set a superuser's password or reset their factors,
but could still type a new address on the superuser's page, then ask for a
reset link to it; and could tick "Superuser status" on their own page.
"""
import pytest

from accounts.models import SecurityEvent
from tests.admin.test_admin import USERS, browser_for, form_data, superuser  # noqa: F401  (fixtures)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def helper(browser_for):
    return browser_for("helper", "accounts.change_user", "accounts.view_user")


def test_staff_cannot_change_a_superusers_address(helper, superuser):
    url = f"{USERS}{superuser.user.pk}/change/"
    page = helper.get(url)
    assert page.status_code == 200  # may look
    assert 'name="email"' not in page.content.decode()

    data = {"username": "root", "email": "helper@attacker.example", "is_active": "on", "is_superuser": "on"}
    response = helper.post(url, data)

    assert response.status_code == 403
    superuser.user.refresh_from_db()
    assert superuser.user.email != "helper@attacker.example"


def test_staff_cannot_make_themselves_superuser_or_grant_permissions(helper, superuser):
    url = f"{USERS}{helper.user.pk}/change/"
    data = form_data(superuser.get(url).content.decode(), "user_form")  # every field, as a superuser sees it
    data["is_superuser"] = ["on"]
    data["first_name"] = ["Helper"]

    response = helper.post(url, data)

    assert response.status_code == 302
    helper.user.refresh_from_db()
    assert helper.user.first_name == "Helper"  # the rest of the form still saves
    assert not helper.user.is_superuser
    assert helper.user.user_permissions.count() == 2


def test_a_superuser_still_grants_superuser_status(superuser, make_user):
    bob = make_user("bob", is_staff=True)
    url = f"{USERS}{bob.pk}/change/"
    data = form_data(superuser.get(url).content.decode(), "user_form")
    data["is_superuser"] = ["on"]

    assert superuser.post(url, data).status_code == 302
    bob.refresh_from_db()
    assert bob.is_superuser


def test_staff_cannot_deactivate_a_superuser(helper, superuser):
    helper.user.user_permissions.add(*_revoke_permission())
    data = {"action": "deactivate_and_revoke_sessions", "_selected_action": [superuser.user.pk], "post": "yes"}

    response = helper.post(USERS, data, follow=True)

    assert "Only a superuser can deactivate a superuser" in response.content.decode()
    superuser.user.refresh_from_db()
    assert superuser.user.is_active
    assert superuser.user.check_password(PASSWORD)
    assert not SecurityEvent.objects.filter(user=superuser.user, actor=helper.user).exists()


def _revoke_permission():
    from django.contrib.auth.models import Permission

    from accounts.admin.common import REVOKE_PERMISSION

    app_label, codename = REVOKE_PERMISSION.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename)
