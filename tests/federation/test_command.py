"""``manage.py provider set|list|remove``: idempotent, the secret from the environment, sealed, never printed."""
import io

import pytest
from django.core.management import CommandError, call_command

from accounts.federation.models import Provider

pytestmark = pytest.mark.django_db

SECRET = "client-secret-from-the-provider-7f3a"


def run(*args):
    out = io.StringIO()
    call_command("provider", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def secret_env(monkeypatch):
    monkeypatch.setenv("ACME_SECRET", SECRET)
    return "ACME_SECRET"


def test_set_creates_then_changes_nothing_the_second_time(secret_env):
    args = ("set", "acme", "--kind", "oidc", "--client-id", "gatehouse", "--client-secret-env", secret_env,
            "--issuer", "https://id.acme.test/", "--name", "Acme ID", "--domain", "Acme.TEST", "--trusted-email")
    first = run(*args)
    stored = Provider.objects.get(slug="acme")
    second = run(*args)

    assert "Created acme" in first and "Updated acme" in second
    assert "/api/auth/federation/acme/callback/" in first
    assert SECRET not in first + second
    again = Provider.objects.get(slug="acme")
    assert again.issuer == "https://id.acme.test" and again.domains == ["acme.test"] and again.trusted_email
    assert again.client_secret == SECRET and SECRET not in again.client_secret_sealed
    assert Provider.objects.count() == 1 and again.created_at == stored.created_at


def test_a_change_without_the_secret_keeps_it(secret_env):
    run("set", "google", "--kind", "google", "--client-id", "one", "--client-secret-env", secret_env)
    run("set", "google", "--kind", "google", "--client-id", "two", "--no-signup", "--disable")
    provider = Provider.objects.get(slug="google")
    assert provider.client_id == "two" and provider.client_secret == SECRET
    assert not provider.allow_signup and not provider.enabled and provider.name == "Google"


def test_list_never_shows_the_secret(secret_env):
    run("set", "gitlab", "--kind", "gitlab", "--client-id", "gl", "--client-secret-env", secret_env)
    listed = run("list")
    assert "gitlab" in listed and "gl" in listed and SECRET not in listed
    assert Provider.objects.get().client_secret_sealed not in listed


def test_remove(secret_env):
    run("set", "acme", "--kind", "oidc", "--client-id", "x", "--client-secret-env", secret_env,
        "--issuer", "https://id.acme.test")
    assert "Removed acme" in run("remove", "acme")
    with pytest.raises(CommandError, match="No provider"):
        run("remove", "acme")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--kind", "oidc", "--client-id", "x"), "needs --issuer"),
        (("--kind", "github", "--client-id", "x", "--issuer", "https://github.com"), "no issuer"),
        (("--kind", "microsoft", "--client-id", "x", "--issuer", "https://evil.test/v2.0"), "login.microsoftonline"),
        (("--kind", "google", "--client-id", "x", "--issuer", "http://accounts.example"), "leave --issuer out"),
        (("--kind", "oidc", "--client-id", "x", "--issuer", "http://id.acme.test"), "https://"),
        (("--kind", "oidc", "--client-id", "x", "--issuer", "https://id.acme.test", "--require-for-domains"),
         "needs at least one --domain"),
        (("--kind", "oidc", "--client-id", "x", "--issuer", "https://id.acme.test", "--domain", "nodot"), "domain"),
    ],
)
def test_bad_configurations_are_refused_with_a_reason(secret_env, args, message):
    with pytest.raises(CommandError, match=message):
        run("set", "acme", *args, "--client-secret-env", secret_env)
    assert not Provider.objects.exists()


def test_a_new_provider_needs_its_secret_and_an_empty_variable_is_refused(monkeypatch):
    with pytest.raises(CommandError, match="client secret"):
        run("set", "google", "--kind", "google", "--client-id", "x")
    monkeypatch.setenv("EMPTY", "")
    with pytest.raises(CommandError, match="empty or unset"):
        run("set", "google", "--kind", "google", "--client-id", "x", "--client-secret-env", "EMPTY")


def test_a_bad_slug_is_refused(secret_env):
    with pytest.raises(CommandError, match="slug"):
        run("set", "Acme_ID", "--kind", "google", "--client-id", "x", "--client-secret-env", secret_env)


def test_a_secret_sealed_under_another_secret_key_is_named_in_the_list_and_when_set(secret_env, settings):
    """Repro: `provider set` run with another DJANGO_SECRET_KEY than the server's sealed a secret the server
    could not open; every sign-in then failed with invalid_client, and nothing said why."""
    run("set", "acme", "--kind", "oidc", "--client-id", "x", "--client-secret-env", secret_env,
        "--issuer", "https://id.acme.test")
    assert "secret: set" in run("list")
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    listed = run("list")
    assert "secret: does not open" in listed and SECRET not in listed
    err = io.StringIO()
    call_command("provider", "set", "acme", "--kind", "oidc", "--client-id", "x", "--issuer", "https://id.acme.test",
                 stdout=io.StringIO(), stderr=err)
    assert "does not open under this DJANGO_SECRET_KEY" in err.getvalue()


def test_a_provider_without_a_secret_is_listed_as_such(monkeypatch):
    monkeypatch.setenv("EMPTY_OK", "")
    Provider.objects.create(slug="public", kind="oidc", name="Public", client_id="p", issuer="https://id.public.test")
    assert "secret: none" in run("list")


def test_set_names_the_redirect_uri_under_site_url(secret_env, settings):
    settings.SITE_URL = "https://auth.example.test"
    out = run("set", "acme", "--kind", "oidc", "--client-id", "x", "--client-secret-env", secret_env,
              "--issuer", "https://id.acme.test")
    assert "https://auth.example.test/api/auth/federation/acme/callback/" in out
