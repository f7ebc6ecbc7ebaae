"""DELETE /api/auth/me/: the caller's account goes in one transaction; events stay under a pseudonym."""
import time

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Q

from accounts import conf
from accounts.account import deletion
from accounts.devices.models import KnownDevice
from accounts.mail import outbox
from accounts.mail.models import OutboxMessage
from accounts.models import RefreshSession, SecurityEvent, SecurityEventKind
from accounts.passkeys.models import Passkey
from accounts.signin import gate
from tests.account.test_export import relations_to_the_user
from tests.conftest import PASSWORD, login
from tests.mfa.conftest import clock, confirm_with_code, enrol  # noqa: F401  (clock: a fixture)

pytestmark = pytest.mark.django_db
User = get_user_model()
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def rows_of(user_pk):
    """How many rows of each table pointing at the user point at ``user_pk`` (0s left out)."""
    counts = {}
    for relation in relations_to_the_user():
        app_label, model_name, field = relation.split(".")
        count = apps.get_model(app_label, model_name)._default_manager.filter(**{f"{field}_id": user_pk}).count()
        if count:
            counts[relation] = count
    return counts


def furnish(device, user):
    """Tokens, a passkey and a device beside the sessions and events a login leaves."""
    assert device.post("/api/auth/tokens/", {"name": "ci", "expires_in_days": 3, "scopes": ["profile:read"]}).status_code == 201
    Passkey.objects.create(user=user, credential_id=f"cred-{user.pk}", public_key=b"k", user_handle="h", name="key")
    KnownDevice.objects.get_or_create(user=user, digest=f"{user.pk:064d}")


def test_deleting_my_account_removes_everything_personal_and_keeps_nameless_events(logged_in, log_in, user):
    phone = log_in(HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="203.0.113.9")
    furnish(logged_in, user)
    login(logged_in.client.__class__(), "alice", "wrong password")  # a failed login, typed with the name
    OutboxMessage.objects.create(to="alice@example.com", subject="An old mail", body_text="x")
    assert rows_of(user.pk)

    response = logged_in.delete("/api/auth/me/")

    assert response.status_code == 204, response.content
    assert response.cookies[conf.cookie_name()].value == ""
    assert not User.objects.filter(pk=user.pk).exists()
    assert rows_of(user.pk) == {}
    for device in (logged_in, phone):
        assert device.get("/api/auth/me/").status_code == 401
        assert device.refresh().status_code == 401
    personal = Q(username__icontains="alice") | Q(ip_address__isnull=False) | ~Q(user_agent="")
    assert not SecurityEvent.objects.filter(personal).exists()
    pseudonyms = set(SecurityEvent.objects.values_list("username", flat=True))
    assert len(pseudonyms) == 1 and pseudonyms.pop().startswith("deleted-")
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.ACCOUNT_DELETED).count() == 1
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_SUCCEEDED).count() == 2
    assert list(OutboxMessage.objects.values_list("to", "subject")) == [
        ("alice@example.com", "Your Gatehouse account was deleted")
    ]


def test_the_notice_is_delivered_after_the_account_is_gone(logged_in, user, smtp_server):
    assert logged_in.delete("/api/auth/me/").status_code == 204

    while outbox.deliver_due():
        pass
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "alice@example.com"
    assert message["Subject"] == "Your Gatehouse account was deleted"


def test_deletion_only_touches_the_caller(logged_in, log_in, user, make_user):
    """Deletion of another account is impossible by construction: the route names no account."""
    bob = make_user("bob")
    bob_device = log_in("bob")
    furnish(bob_device, bob)
    before = rows_of(bob.pk)

    for query in (f"?user={bob.pk}", f"?id={bob.pk}", "?username=bob"):
        response = logged_in.client.delete(f"/api/auth/me/{query}", {"id": bob.pk}, format="json", **logged_in.bearer)
        assert response.status_code in (204, 401)

    assert not User.objects.filter(pk=user.pk).exists()
    assert User.objects.filter(pk=bob.pk).exists()
    assert rows_of(bob.pk) == before
    assert bob_device.get("/api/auth/me/").status_code == 200
    assert SecurityEvent.objects.filter(user=bob, username="bob").exists()


def test_deletion_needs_a_recent_authentication(logged_in, user):
    with time_machine.travel(time.time() + 3600, tick=False):
        logged_in.refresh()
        response = logged_in.delete("/api/auth/me/")

    assert response.status_code == 403
    assert response.json()["code"] == "reauthentication_required"
    assert User.objects.filter(pk=user.pk).exists()


def test_deletion_with_a_factor_on_needs_the_factor(clock, logged_in, user):
    enrolled = enrol(logged_in)
    logged_in.access = logged_in.post("/api/auth/reauthenticate/", {"password": PASSWORD}).json()["access"]

    refused = logged_in.delete("/api/auth/me/")

    assert refused.status_code == 403
    assert refused.json()["code"] == "reauthentication_required"
    assert "totp" in refused.json()["methods"]
    assert User.objects.filter(pk=user.pk).exists()
    confirm_with_code(enrolled)
    assert logged_in.delete("/api/auth/me/").status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()


def test_the_last_superuser_cannot_delete_itself(make_user, log_in):
    root = make_user("root", is_staff=True, is_superuser=True)
    device = log_in("root")

    response = device.delete("/api/auth/me/")

    assert response.status_code == 400
    assert response.json()["code"] == "last_superuser"
    assert User.objects.filter(pk=root.pk).exists()
    assert device.get("/api/auth/me/").status_code == 200
    make_user("root2", is_staff=True, is_superuser=True)
    assert device.delete("/api/auth/me/").status_code == 204


def test_an_inactive_superuser_does_not_count_as_another(make_user, log_in):
    make_user("root", is_staff=True, is_superuser=True)
    make_user("dormant", is_staff=True, is_superuser=True, is_active=False)

    assert log_in("root").delete("/api/auth/me/").json()["code"] == "last_superuser"


@pytest.mark.django_db(transaction=True)
def test_a_login_racing_the_deletion_opens_no_session(client, user, monkeypatch):
    """The password was right, then the account went before the session started: 401, no session, no 500."""
    checked = gate._refuse_unverified_address

    def deleted_right_after_the_check(user, client):
        checked(user, client)
        deletion.delete_account(user=user)

    monkeypatch.setattr(gate, "_refuse_unverified_address", deleted_right_after_the_check)

    response = login(client)

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert not RefreshSession.objects.exists()
    assert not User.objects.filter(pk=user.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_login_in_another_thread_waits_for_the_deletion_and_opens_no_session(user):
    """Two connections: the deletion holds the user's row while a login with the right password comes in."""
    import threading

    from django.db import connection, transaction
    from rest_framework.test import APIClient

    locked, answers = threading.Event(), []

    def delete_slowly():
        try:
            with transaction.atomic():
                # The row, locked (PostgreSQL) and written (SQLite's write lock), before the login starts.
                User.objects.select_for_update().filter(pk=user.pk).update(first_name="going")
                locked.set()
                time.sleep(0.5)  # the login is meanwhile checking the password, then waits on the row
                deletion.delete_account(user=user)
        finally:
            locked.set()
            connection.close()

    def log_in():
        try:
            assert locked.wait(20)
            answers.append(login(APIClient()))
        finally:
            connection.close()

    threads = [threading.Thread(target=delete_slowly), threading.Thread(target=log_in)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    (response,) = answers
    assert response.status_code == 401
    assert not User.objects.filter(pk=user.pk).exists()
    assert not RefreshSession.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_superusers_deleting_themselves_at_once_leave_one(make_user, monkeypatch):
    """Repro (review): each deletion locked only its own row, so both saw "another superuser exists" and went."""
    import threading

    from django.db import connection

    first, second = make_user("root1", is_staff=True, is_superuser=True), make_user("root2", is_staff=True,
                                                                                    is_superuser=True)
    counted, outcomes = threading.Event(), {}
    real_check = deletion.is_last_superuser

    def check_then_linger(user):
        answer = real_check(user)
        if user.pk == first.pk:
            counted.set()
            time.sleep(0.5)  # the other deletion starts meanwhile: a lower bound, not a race to win
        return answer

    monkeypatch.setattr(deletion, "is_last_superuser", check_then_linger)

    def delete(user, wait_for=None):
        try:
            if wait_for is not None:
                assert wait_for.wait(20)
            deletion.delete_account(user=user)
            outcomes[user.username] = "deleted"
        except deletion.LastSuperuser:
            outcomes[user.username] = "last"
        except Exception as error:  # SQLite: the second writer may be refused while the first holds the lock
            outcomes[user.username] = type(error).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=delete, args=(first,)), threading.Thread(target=delete, args=(second, counted))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert set(outcomes) == {"root1", "root2"}
    assert User.objects.filter(is_superuser=True, is_active=True).count() == 1, outcomes
