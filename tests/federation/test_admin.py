"""The admin's "Sign-in providers": the secret write-only and never shown; identities on each user's page."""
import pytest

from accounts.federation.models import Identity, Provider

pytestmark = pytest.mark.django_db

SECRET = "the-client-secret-of-acme-42"
FORM = {
    "slug": "acme", "name": "Acme ID", "kind": "oidc", "client_id": "gatehouse", "issuer": "https://id.acme.test/",
    "scopes": "", "allow_signup": "on", "enabled": "on", "domains": "Acme.test, example.org",
}


def test_add_a_provider_then_edit_it_without_seeing_the_secret(admin_client):
    assert admin_client.get("/admin/accounts/provider/add/").status_code == 200
    response = admin_client.post("/admin/accounts/provider/add/", {**FORM, "client_secret": SECRET})
    assert response.status_code == 302, response.content
    provider = Provider.objects.get()
    assert provider.client_secret == SECRET and provider.domains == ["acme.test", "example.org"]
    assert provider.issuer == "https://id.acme.test"
    for page in (f"/admin/accounts/provider/{provider.pk}/change/", "/admin/accounts/provider/"):
        shown = admin_client.get(page)
        assert shown.status_code == 200
        assert SECRET.encode() not in shown.content and provider.client_secret_sealed.encode() not in shown.content
    assert admin_client.get("/admin/accounts/provider/?client_secret_sealed__startswith=v").status_code == 400
    admin_client.post(f"/admin/accounts/provider/{provider.pk}/change/", {**FORM, "name": "Acme", "client_secret": ""})
    provider.refresh_from_db()
    assert provider.name == "Acme" and provider.client_secret == SECRET


def test_a_provider_that_cannot_work_is_refused_with_a_reason(admin_client):
    response = admin_client.post("/admin/accounts/provider/add/", {**FORM, "issuer": "", "client_secret": SECRET})
    assert response.status_code == 200
    assert b"needs --issuer" in response.content or b"issuer" in response.content
    response = admin_client.post("/admin/accounts/provider/add/", {**FORM})
    assert b"needs its client secret" in response.content
    assert not Provider.objects.exists()


def test_the_users_page_lists_their_identities(admin_client, make_user):
    provider = Provider(slug="acme", name="Acme ID", kind="oidc", client_id="x", issuer="https://id.acme.test")
    provider.set_client_secret(SECRET)
    provider.save()
    carol = make_user("carol")
    Identity.objects.create(user=carol, provider=provider, subject="subject-of-carol-77", email="carol@acme.test")
    page = admin_client.get(f"/admin/accounts/user/{carol.pk}/change/")
    assert page.status_code == 200
    assert b"subject-of-carol-77" in page.content and b"linked identities" in page.content.lower()
