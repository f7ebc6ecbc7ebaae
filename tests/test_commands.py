from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from accounts.models import RefreshSession, SecurityEvent, SecurityEventKind

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_bootstrap_admin_creates_one_superuser_and_prints_its_password_once():
    first = run("bootstrap_admin")
    second = run("bootstrap_admin")

    admin = get_user_model().objects.get()
    password = first.split("password: ")[1].split()[0]
    assert admin.is_superuser and admin.is_staff and admin.check_password(password)
    assert password not in second
    # Given by the operator: verified, so SIGNUP_EMAIL_VERIFICATION=mandatory does not lock the administrator out.
    assert admin.email_verified_at is not None


def test_bootstrap_admin_does_nothing_when_users_exist(user):
    output = run("bootstrap_admin")

    assert "no account created" in output
    assert "manage.py changepassword" in output  # how to recover a lost admin password
    assert get_user_model().objects.count() == 1


def make_session(user, *, ended_days_ago=None, revoked_days_ago=None):
    now = timezone.now()
    expires = now - timedelta(days=ended_days_ago) if ended_days_ago is not None else now + timedelta(days=1)
    return RefreshSession.objects.create(
        user=user, token_seed="0" * 64, expires_at=expires, absolute_expires_at=expires + timedelta(days=30),
        revoked_at=now - timedelta(days=revoked_days_ago) if revoked_days_ago is not None else None,
    )


def test_cleanup_deletes_long_ended_sessions_and_old_events_in_batches(user):
    keep = [make_session(user), make_session(user, ended_days_ago=1), make_session(user, revoked_days_ago=1)]
    for _ in range(7):
        make_session(user, ended_days_ago=40)
    make_session(user, revoked_days_ago=31)
    old = SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN_FAILED, created_at=timezone.now() - timedelta(days=31))
    recent = SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN_FAILED)

    output = run("cleanup_sessions", "--batch-size", "3")

    assert "Deleted 8 ended sessions and 1 security events" in output
    assert set(RefreshSession.objects.values_list("pk", flat=True)) == {session.pk for session in keep}
    assert list(SecurityEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not SecurityEvent.objects.filter(pk=old.pk).exists()


def test_cleanup_retention_can_be_overridden(user):
    make_session(user, ended_days_ago=3)

    assert "Deleted 1 ended sessions" in run("cleanup_sessions", "--retention-days", "2")


def test_cleanup_deletes_long_ended_personal_tokens_too(user):
    # repro: tokens expired or revoked 31 days ago stayed for ever; recent and live ones stay
    from accounts.personal_tokens.models import PersonalAccessToken

    now = timezone.now()

    def make_token(n, *, expires_days, revoked_days=None):
        return PersonalAccessToken.objects.create(
            user=user, name=f"t{n}", lookup=f"{n:016x}", digest="0" * 64, expires_at=now + timedelta(days=expires_days),
            revoked_at=now - timedelta(days=revoked_days) if revoked_days is not None else None,
        )

    keep = {make_token(1, expires_days=10).pk, make_token(2, expires_days=-1).pk,
            make_token(3, expires_days=10, revoked_days=1).pk}
    make_token(4, expires_days=-31)
    make_token(5, expires_days=10, revoked_days=31)

    output = run("cleanup_sessions")

    assert "and 2 ended personal access tokens" in output
    assert set(PersonalAccessToken.objects.values_list("pk", flat=True)) == keep
