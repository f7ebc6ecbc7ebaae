"""GET /api/auth/export/: everything kept about the caller, and never a secret, a digest or another's data."""
import json
import re
import time

import pytest
import time_machine
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from accounts.account import export
from accounts.devices import trusted
from accounts.devices.models import KnownDevice, TrustedDevice
from accounts.oidc_provider.models import OAuthClient, OAuthConsent
from accounts.federation.models import Identity, Provider
from accounts.limits.net import ClientInfo
from accounts.mfa.models import RecoveryCode, TotpDevice
from accounts.models import RefreshSession
from accounts.passkeys.models import Passkey
from accounts.personal_tokens.models import PersonalAccessToken
from tests.mfa.conftest import clock, confirm_with_code, enrol  # noqa: F401  (clock: a fixture)

pytestmark = pytest.mark.django_db

# A key of the document named like a secret or what stands for one.
FORBIDDEN_KEY = re.compile(r"secret|digest|seed|hash|password|fingerprint|public_key|credential|handle|^token$|_token$")


def relations_to_the_user():
    """Every field of every installed model that points at the user model ("app_label.Model.field")."""
    User = get_user_model()
    found = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.concrete and field.is_relation and field.related_model is User and model is not User:
                found.add(f"{model._meta.app_label}.{model.__name__}.{field.name}")
    return found


def test_every_relation_to_the_user_is_exported_or_left_out_with_a_reason():
    """A new table pointing at the user must be added to the export (or named in LEFT_OUT with why)."""
    assert relations_to_the_user() == set(export.COVERED) | set(export.LEFT_OUT)
    assert not set(export.COVERED) & set(export.LEFT_OUT)
    assert all(reason.strip() for reason in export.LEFT_OUT.values())


def keys(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from keys(inner)


@pytest.fixture
def rich_account(clock, logged_in, log_in, user):
    """Alice with a second session, an authenticator app, recovery codes, a passkey, a token, a known and a trusted
    device, admin log."""
    enrolled = enrol(logged_in)
    confirm_with_code(enrolled)
    created = logged_in.post("/api/auth/tokens/", {"name": "backup script", "expires_in_days": 5, "scopes": ["profile:read"]})
    assert created.status_code == 201, created.content
    Passkey.objects.create(
        user=user, credential_id="Y3JlZGVudGlhbC1pZC1vZi1hbGljZQ", public_key=b"\x01public-key-bytes",
        user_handle="aGFuZGxlLW9mLWFsaWNl", name="Work laptop",
    )
    KnownDevice.objects.get_or_create(user=user, digest="d" * 64)
    app = OAuthClient.objects.create(client_id="wiki", name="Team wiki", redirect_uris="https://wiki.example/cb")
    OAuthConsent.objects.create(user=user, client=app, scopes="openid profile")
    provider = Provider(slug="acme", name="Acme ID", kind="oidc", client_id="gatehouse", issuer="https://id.acme.test")
    provider.set_client_secret("provider-client-secret-of-acme")
    provider.save()
    Identity.objects.create(user=user, provider=provider, subject="acme-248289761001", email="alice@acme.test")
    cookie = trusted.trust(user=user, client=ClientInfo("192.0.2.9", "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"))
    assert cookie
    LogEntry.objects.create(
        user=user, content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk),
        object_repr="carol (another account)", action_flag=CHANGE, change_message="Changed email.",
    )
    return enrolled.device, created.json()["token"]


def test_export_holds_every_section_and_no_secret(rich_account, user, make_user, log_in):
    device, personal_token = rich_account
    make_user("bob")
    bob = log_in("bob")

    response = device.get("/api/auth/export/")

    assert response.status_code == 200, response.content
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Type"] == "application/json"
    text = response.content.decode()
    document = json.loads(text)
    for section in set(export.COVERED.values()) | {"profile", "mail"}:
        assert document[section], f"{section} is empty"
    assert document["profile"]["username"] == "alice"
    assert document["passkeys"][0]["name"] == "Work laptop"
    assert document["personal_tokens"][0]["name"] == "backup script"
    assert document["identities"][0]["provider"] == "acme"
    assert document["identities"][0]["subject"] == "acme-248289761001"
    assert "provider-client-secret-of-acme" not in text
    assert {row["id"] for row in document["sessions"]} == {
        str(pk) for pk in RefreshSession.objects.filter(user=user).values_list("pk", flat=True)
    }
    named_like_a_secret = [key for key in keys(document) if FORBIDDEN_KEY.search(key)]
    assert named_like_a_secret == []
    secrets = [user.password, personal_token, personal_token.split("_", 1)[1]]
    for session in RefreshSession.objects.filter(user=user):
        secrets += [session.token_seed, session.password_fingerprint]
    secrets += list(PersonalAccessToken.objects.filter(user=user).values_list("digest", flat=True))
    secrets += list(RecoveryCode.objects.filter(user=user).values_list("digest", flat=True))
    for device in TrustedDevice.objects.filter(user=user):
        secrets += [device.digest, device.password_fingerprint]
    secrets += [TotpDevice.objects.get(user=user).encrypted_secret, "Y3JlZGVudGlhbC1pZC1vZi1hbGljZQ",
                "aGFuZGxlLW9mLWFsaWNl", "d" * 64]
    assert "carol" not in text
    for secret in filter(None, secrets):
        assert secret not in text
    # Another account's data: none of it (nor the names of records changed in the admin).
    assert "bob" not in text
    assert document["administrator_actions"] == [
        {"action_time": document["administrator_actions"][0]["action_time"], "action": "changed", "record_type": "user"}
    ]
    assert str(bob.response.cookies) and all(
        str(pk) not in text for pk in RefreshSession.objects.filter(user__username="bob").values_list("pk", flat=True)
    )


def test_mail_is_listed_by_subject_and_dates_never_a_body(rich_account):
    device, _ = rich_account

    mail = device.get("/api/auth/export/").json()["mail"]

    assert mail and all(set(row) == {"subject", "status", "created_at", "sent_at"} for row in mail)


def test_export_needs_a_recent_authentication(logged_in):
    with time_machine.travel(time.time() + 3600, tick=False):
        logged_in.refresh()
        response = logged_in.get("/api/auth/export/")

    assert response.status_code == 403
    assert response.json()["code"] == "reauthentication_required"


def test_export_of_another_user_cannot_be_asked_for(logged_in, make_user, log_in):
    """The route takes no user: every way of naming another account still exports the caller's own."""
    bob = make_user("bob")
    log_in("bob")

    for query in (f"?user={bob.pk}", f"?id={bob.pk}", "?username=bob", f"?user_id={bob.pk}"):
        document = logged_in.get(f"/api/auth/export/{query}").json()
        assert document["profile"]["username"] == "alice"
        assert "bob" not in json.dumps(document)


def test_a_personal_token_cannot_export(logged_in):
    token = logged_in.post("/api/auth/tokens/", {"name": "script", "expires_in_days": 1, "scopes": ["profile:read"]}).json()["token"]

    response = logged_in.client.get("/api/auth/export/", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 403
