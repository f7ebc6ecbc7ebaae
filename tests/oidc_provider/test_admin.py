"""The admin registers OpenID clients (the secret write-only, kept as a digest) and shows their grants."""
import pytest

from accounts.oidc_provider import clients
from accounts.oidc_provider.models import OAuthClient
from tests.admin.test_admin import browser_for, superuser  # noqa: F401  (fixtures)
from tests.oidc_provider.test_flows import code_for, exchange

pytestmark = pytest.mark.django_db
ADD = "/admin/accounts/oauthclient/add/"


def test_adding_a_confidential_client_keeps_a_digest_of_the_offered_secret(superuser):  # noqa: F811
    form = superuser.get(ADD).content.decode()
    assert 'name="secret"' in form
    secret = "admin-made-secret-" + "k" * 30
    response = superuser.post(ADD, {
        "client_id": "wiki", "name": "Team wiki", "redirect_uris": "https://wiki.example/cb",
        "post_logout_redirect_uris": "", "backchannel_logout_uri": "", "allow_offline_access": "on",
        "active": "on", "confidential": "on", "secret": secret,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    client = OAuthClient.objects.get(client_id="wiki")
    assert client.secret_digest == clients.secret_digest(secret) and secret not in client.secret_digest
    page = superuser.get(f"/admin/accounts/oauthclient/{client.pk}/change/").content.decode()
    assert secret not in page and client.secret_digest not in page


def test_an_unregistrable_redirect_uri_is_refused(superuser):  # noqa: F811
    response = superuser.post(ADD, {
        "client_id": "bad", "name": "Bad", "redirect_uris": "http://public.example/cb", "active": "on",
        "allow_offline_access": "on",
    })
    assert response.status_code == 200 and "must use https" in response.content.decode()
    assert not OAuthClient.objects.exists()


def test_the_grants_list_shows_an_apps_sessions(superuser, logged_in, confidential):  # noqa: F811
    params, verifier = code_for(logged_in)
    assert exchange(logged_in.client, params["code"], verifier).status_code == 200
    html = superuser.get("/admin/accounts/clientgrant/").content.decode()
    assert "Example App" in html and "alice" in html
    assert "Example App (app)" in superuser.get("/admin/accounts/refreshsession/").content.decode()
