"""The admin's "Delete accounts and their personal data": the same deletion as the account page, asked first."""
import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.mail.models import OutboxMessage
from accounts.models import SecurityEvent, SecurityEventKind
from tests.account.test_deletion import rows_of
from tests.admin.test_admin import USERS, offered_actions, run_action
from tests.conftest import login

pytestmark = pytest.mark.django_db
User = get_user_model()


def browser_of(user):
    browser = Client()
    browser.force_login(user)
    browser.user = user
    return browser


@pytest.fixture
def root(make_user):
    return make_user("root", is_staff=True, is_superuser=True)


def test_the_action_asks_first_then_deletes_like_the_account_page(root, logged_in, user):
    browser = browser_of(root)

    asked = run_action(browser, USERS, "delete_accounts", [user.pk])
    assert "Delete the selected accounts?" in asked.content.decode()
    assert User.objects.filter(pk=user.pk).exists()

    done = run_action(browser, USERS, "delete_accounts", [user.pk], confirm=True, REMOTE_ADDR="192.0.2.9")

    assert "Deleted 1 account." in done.content.decode()
    assert not User.objects.filter(pk=user.pk).exists()
    assert rows_of(user.pk) == {}
    assert logged_in.get("/api/auth/me/").status_code == 401
    (event,) = SecurityEvent.objects.filter(kind=SecurityEventKind.ACCOUNT_DELETED)
    assert event.actor == root and event.username.startswith("deleted-") and event.ip_address is None
    assert not SecurityEvent.objects.filter(username="alice").exists()
    (mail,) = OutboxMessage.objects.filter(subject="Your Gatehouse account was deleted")
    assert mail.to == "alice@example.com" and "by an administrator" in mail.body_text


def test_django_s_own_delete_removes_the_personal_data_too(root, user, client):
    """Repro: the change page's Delete button left the events with the username and IP.

    (Django's delete page refuses a user with sessions or tokens, whose admins cannot delete those: the
    action above is the way for them.)
    """
    browser = browser_of(root)
    login(client, "alice", "not the password", REMOTE_ADDR="198.51.100.7")  # an event typed with the name
    SecurityEvent.objects.create(kind=SecurityEventKind.PASSWORD_CHANGED, user=user, username="alice",
                                 ip_address="198.51.100.7", user_agent="Firefox")

    response = browser.post(f"{USERS}{user.pk}/delete/", {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert not User.objects.filter(pk=user.pk).exists()
    assert not SecurityEvent.objects.filter(username="alice").exists()
    assert not SecurityEvent.objects.filter(ip_address="198.51.100.7").exists()
    kept = SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGED, username__startswith="deleted-")
    assert kept.exists()
    assert not LogEntry.objects.filter(object_repr="alice").exists()


def test_staff_who_are_not_superusers_cannot_delete_a_superuser(make_user, root):
    staff = make_user("staff", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "delete_user"]))
    other_root = make_user("root2", is_staff=True, is_superuser=True)

    response = run_action(browser_of(staff), USERS, "delete_accounts", [other_root.pk], confirm=True)

    assert "Only a superuser can delete a superuser" in response.content.decode()
    assert User.objects.filter(pk=other_root.pk).exists()


def test_no_one_deletes_themselves_in_the_admin(root, make_user):
    make_user("root2", is_staff=True, is_superuser=True)

    response = run_action(browser_of(root), USERS, "delete_accounts", [root.pk], confirm=True)

    assert "You cannot delete yourself here; skipped." in response.content.decode()
    assert User.objects.filter(pk=root.pk).exists()


def test_staff_without_the_delete_permission_are_not_offered_the_action(make_user, user):
    viewer = make_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    browser = browser_of(viewer)

    assert "delete_accounts" not in offered_actions(browser.get(USERS))
    run_action(browser, USERS, "delete_accounts", [user.pk], confirm=True)
    assert User.objects.filter(pk=user.pk).exists()


def test_deleting_in_the_admin_needs_a_recent_sign_in_on_every_path(root, user):
    # Repro (review): with the admin's sign-in an hour old, Django's "Delete selected users" and the change
    # page's Delete removed the account without asking, while "Delete accounts…" asked for the password.
    from tests.admin.test_admin_second_step import stale

    browser = browser_of(root)
    stale(browser)

    assert "delete_selected" not in offered_actions(browser.get(USERS))
    old_action = browser.post(USERS, {"action": "delete_selected", "_selected_action": [user.pk], "post": "yes"})
    page = browser.post(f"{USERS}{user.pk}/delete/", {"post": "yes"}, follow=True)

    assert old_action.status_code in (200, 302)
    assert "needs a recent sign-in" in page.content.decode()
    assert User.objects.filter(pk=user.pk).exists()
