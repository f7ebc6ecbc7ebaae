"""Migration 0013 marks the factors stored before it that were added while the address was unverified."""
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("accounts", "0011_session_admin_indexes")]
AFTER = [("accounts", "0013_factors_added_while_unverified")]


@pytest.fixture
def at_0011(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor.loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_existing_factors_added_before_the_address_was_verified_are_marked(at_0011):
    apps = at_0011
    User = apps.get_model("accounts", "User")
    Passkey = apps.get_model("accounts", "Passkey")
    TotpDevice = apps.get_model("accounts", "TotpDevice")
    RecoveryCode = apps.get_model("accounts", "RecoveryCode")
    now = timezone.now()
    never = User.objects.create(username="never", username_canonical="never", email="n@example.com")
    later = User.objects.create(
        username="later", username_canonical="later", email="l@example.com", email_verified_at=now
    )
    first = User.objects.create(
        username="first", username_canonical="first", email="f@example.com",
        email_verified_at=now - timedelta(days=2),
    )
    for user, handle in ((never, "n"), (later, "l"), (first, "f")):
        Passkey.objects.create(
            user=user, credential_id=f"cred-{handle}", public_key=b"k", user_handle=handle, name="key",
            created_at=now - timedelta(days=1),
        )
        TotpDevice.objects.create(
            user=user, encrypted_secret="v1.x", created_at=now - timedelta(days=1),
            confirmed_at=now - timedelta(days=1),
        )
        RecoveryCode.objects.create(user=user, digest=f"d-{handle}", created_at=now - timedelta(days=1))

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps

    for name in ("Passkey", "TotpDevice", "RecoveryCode"):
        marked = set(
            apps.get_model("accounts", name).objects.filter(added_while_unverified=True)
            .values_list("user__username", flat=True)
        )
        assert marked == {"never", "later"}, name
