"""Registering endpoints: the URL rule, the secret (sealed, never shown), the command and the admin page."""
import base64
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.webhooks import crypto, endpoints
from accounts.webhooks.models import WebhookEndpoint
from accounts.webhooks.outbox import signed_headers
from tests.webhooks.conftest import SECRET


def test_signatures_match_the_standard_webhooks_published_test_vector():
    headers = signed_headers(
        secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", message_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
        body=b'{"test": 2432232314}', when=datetime.fromtimestamp(1614265330, UTC),
    )
    assert headers == {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }


@pytest.mark.parametrize("url", [
    "http://hooks.example.com/in", "ftp://hooks.example.com/", "https://user:pw@hooks.example.com/",
    "http://10.0.0.5/in", "https:///nohost", "javascript:alert(1)",
])
def test_urls_must_be_https_except_to_loopback(url):
    with pytest.raises(ValueError):
        endpoints.check_url(url)


@pytest.mark.parametrize("url", ["https://hooks.example.com/in", "http://127.0.0.1:8001/x", "http://localhost/x",
                                 "http://[::1]:9000/"])
def test_https_and_loopback_http_are_accepted(url):
    assert endpoints.check_url(url) == url


def test_secrets_are_sealed_and_refused_when_too_short():
    sealed = crypto.seal(SECRET)
    assert SECRET not in sealed and crypto.unseal(sealed) == SECRET
    with pytest.raises(ValueError):
        crypto.check_secret("whsec_" + base64.b64encode(b"short").decode())
    with pytest.raises(ValueError):
        crypto.check_secret("no-prefix")


@pytest.mark.django_db
def test_the_command_sets_lists_and_removes_without_ever_printing_the_secret(monkeypatch, capsys):
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    call_command("webhook", "set", "https://hooks.example.com/in", "--secret-env", "HOOK_SECRET",
                 "--events", "session.created,user.created")
    call_command("webhook", "set", "https://hooks.example.com/in", "--events", "user.deleted,identity.linked")
    call_command("webhook", "list")
    out = capsys.readouterr().out
    assert "https://hooks.example.com/in\tactive\tuser.deleted,identity.linked" in out
    assert SECRET not in out and SECRET.removeprefix("whsec_") not in out
    endpoint = WebhookEndpoint.objects.get()
    assert endpoints.signing_secret(endpoint) == SECRET  # kept when --secret-env is left out
    call_command("webhook", "remove", "https://hooks.example.com/in")
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("arguments, message", [
    (["http://hooks.example.com/in", "--secret-env", "HOOK_SECRET", "--events", "user.created"], "https://"),
    (["https://hooks.example.com/in", "--secret-env", "HOOK_SECRET", "--events", "user.exploded"], "Unknown"),
    (["https://hooks.example.com/in", "--events", "user.created"], "needs a secret"),
    (["https://hooks.example.com/in", "--secret-env", "UNSET_VARIABLE", "--events", "user.created"], "UNSET_VARIABLE"),
])
def test_the_command_refuses_bad_input_with_a_readable_error(monkeypatch, arguments, message):
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    monkeypatch.delenv("UNSET_VARIABLE", raising=False)
    with pytest.raises(CommandError, match=message):
        call_command("webhook", "set", *arguments)
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_the_admin_page_offers_a_new_secret_once_and_never_shows_it_again(admin_client):
    page = admin_client.get("/admin/accounts/webhookendpoint/add/")
    assert page.status_code == 200
    offered = page.context["adminform"].form.initial["secret"]
    assert offered.startswith("whsec_") and offered.encode() in page.content
    response = admin_client.post("/admin/accounts/webhookendpoint/add/", {
        "url": "https://hooks.example.com/in", "event_types": ["user.created", "mfa.changed"],
        "active": "on", "secret": offered,
    })
    assert response.status_code == 302, response.content
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.event_types == ["user.created", "mfa.changed"] and endpoints.signing_secret(endpoint) == offered
    change = admin_client.get(f"/admin/accounts/webhookendpoint/{endpoint.pk}/change/")
    listing = admin_client.get("/admin/accounts/webhookendpoint/")
    for shown in (change, listing):
        assert shown.status_code == 200
        assert offered.removeprefix("whsec_").encode() not in shown.content
        assert endpoint.secret_encrypted.encode() not in shown.content
    assert admin_client.get("/admin/accounts/webhookendpoint/?secret_encrypted__startswith=v").status_code == 400
    # Saving without a new secret keeps the old one.
    admin_client.post(f"/admin/accounts/webhookendpoint/{endpoint.pk}/change/", {
        "url": "https://hooks.example.com/in", "event_types": ["user.deleted"], "secret": "",
    })
    endpoint.refresh_from_db()
    assert endpoint.event_types == ["user.deleted"] and not endpoint.active
    assert endpoints.signing_secret(endpoint) == offered


@pytest.mark.django_db
def test_the_admin_refuses_a_plain_http_url_to_another_host(admin_client):
    response = admin_client.post("/admin/accounts/webhookendpoint/add/", {
        "url": "http://hooks.example.com/in", "event_types": ["user.created"], "secret": crypto.new_secret(),
    })
    assert response.status_code == 200 and b"must start with https://" in response.content
    assert not WebhookEndpoint.objects.exists()
