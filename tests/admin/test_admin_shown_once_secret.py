"""The secret an administrator copies once: an OpenID client's and a webhook endpoint's add form offer a fresh one,
their change forms an empty "New secret" that keeps the current secret when left empty."""
import pytest

from accounts.oidc_provider.models import OAuthClient
from accounts.webhooks import crypto
from accounts.webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


def _saved_client():
    return OAuthClient.objects.create(client_id="wiki", name="Wiki", redirect_uris="https://wiki.example/cb")


def _saved_endpoint():
    return WebhookEndpoint.objects.create(
        url="https://hooks.example.com/in", events="user.created", secret_encrypted=crypto.seal(crypto.new_secret()),
    )


@pytest.mark.parametrize(("model", "saved"), [("oauthclient", _saved_client), ("webhookendpoint", _saved_endpoint)])
def test_the_add_form_offers_a_fresh_secret_and_the_change_form_none(admin_client, model, saved):
    offers = []
    for _ in range(2):
        page = admin_client.get(f"/admin/accounts/{model}/add/")
        form = page.context["adminform"].form
        offers.append(form.initial["secret"])
        assert form.fields["secret"].label is None and offers[-1].encode() in page.content
    assert offers[0] != offers[1] and all(len(offer) >= 32 for offer in offers)

    change = admin_client.get(f"/admin/accounts/{model}/{saved().pk}/change/")
    form = change.context["adminform"].form
    assert "secret" not in form.initial
    assert form.fields["secret"].label == "New secret"
    assert form.fields["secret"].help_text.startswith("Leave empty to keep the current secret")
