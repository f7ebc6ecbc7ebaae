"""accounts.precompiled: the same answers as the ORM calls they stand for."""
import pytest
from django.db import connection, transaction
from django.db.models import signals
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.federation.models import FederationState, Identity, Provider
from accounts.models import RefreshSession
from accounts.precompiled import DeleteByKey, RowWithParent

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    return Provider.objects.create(slug="acme", kind="oidc", name="Acme", client_id="x", issuer="https://id.acme.test")


def in_flight(provider, key):
    now = timezone.now()
    return FederationState.objects.create(
        key_digest=key, provider=provider, intent="login", state="s", nonce="n", code_verifier_sealed="v",
        redirect_uri="https://gatehouse.test/cb", expires_at=now,
    )


def test_a_row_with_its_parent_is_what_select_related_answers(provider, user):
    identity = Identity.objects.create(user=user, provider=provider, subject="alice-sub", email=user.email)
    lookup = RowWithParent(Identity, "user", by=("provider", "subject"))

    found = lookup.get(provider.pk, "alice-sub")
    expected = Identity.objects.select_related("user").get(pk=identity.pk)

    assert found == expected and found.user == expected.user
    assert [getattr(found, f.attname) for f in Identity._meta.concrete_fields] == [
        getattr(expected, f.attname) for f in Identity._meta.concrete_fields
    ]
    with CaptureQueriesContext(connection) as queries:
        assert found.user.username == "alice"
    assert len(queries) == 0  # the parent came with the row
    assert lookup.get(provider.pk, "nobody") is None


def test_a_locked_read_locks_the_row_where_the_database_can(user):
    lookup = RowWithParent(RefreshSession, "user", by=("id",), lock=True)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert lookup.get("00000000-0000-0000-0000-000000000000") is None
    (sql,) = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert ("FOR UPDATE" in sql) == connection.features.has_select_for_update


def test_delete_by_key_deletes_the_row_once(provider):
    first, second = in_flight(provider, "a" * 64), in_flight(provider, "b" * 64)
    use_up = DeleteByKey(FederationState, by="id")

    assert use_up.run(first.pk) == 1
    assert use_up.run(first.pk) == 0  # of two callbacks with one cookie, one deletes it
    assert list(FederationState.objects.values_list("pk", flat=True)) == [second.pk]


def test_delete_by_key_leaves_it_to_the_orm_when_a_delete_signal_listens(provider):
    row = in_flight(provider, "c" * 64)
    heard = []

    def receiver(sender, instance, **kwargs):
        heard.append(instance.pk)

    signals.post_delete.connect(receiver, sender=FederationState)
    try:
        assert DeleteByKey(FederationState, by="id").run(row.pk) == 1
    finally:
        signals.post_delete.disconnect(receiver, sender=FederationState)
    assert heard == [row.pk]


def test_delete_by_key_refuses_a_model_other_rows_point_to():
    with pytest.raises(TypeError):
        DeleteByKey(Provider, by="id").run(1)
