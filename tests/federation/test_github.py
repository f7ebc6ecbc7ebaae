"""The ``github`` preset against GitHub's documented responses, served on loopback (``tests/federation/github``).

GitHub cannot run here: a stand-in serves its recorded answers and checks
what GitHub checks. The kind reads ``/user`` and ``/user/emails`` and keeps
only a primary, verified address; the whole sign-in goes through the same
start and callback as every provider.
"""
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from rest_framework.test import APIClient

from accounts.federation import metadata
from accounts.federation.kinds import github
from accounts.federation.kinds.base import Refused
from accounts.federation.models import (
    FederatedSignIn,
    FederationState,
    Identity,
    Provider,
)
from tests.federation.conftest import error_of
from tests.federation.github.fake import FakeGitHub

pytestmark = pytest.mark.django_db

CLIENT_ID, CLIENT_SECRET = "Iv1.8a61f9b3a7aba766", "a github client secret, not a real one"


@pytest.fixture
def fake(monkeypatch):
    with FakeGitHub(client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as server:
        monkeypatch.setattr(github, "AUTHORIZATION_ENDPOINT", f"{server.url}/login/oauth/authorize")
        monkeypatch.setattr(github, "TOKEN_ENDPOINT", f"{server.url}/login/oauth/access_token")
        monkeypatch.setattr(github, "API", server.url)
        metadata.forget()
        yield server
    metadata.forget()


@pytest.fixture
def provider(db):
    row = Provider(slug="github", name="GitHub", kind="github", client_id=CLIENT_ID)
    row.set_client_secret(CLIENT_SECRET)
    row.save()
    return row


def person(fake, token=None):
    return github.KIND.person(api=requests.Session(), access_token=token or fake.issue_token())


def test_the_person_is_the_numeric_id_and_the_primary_verified_address(fake):
    read = person(fake)
    assert (read.subject, read.email, read.email_verified) == ("1", "octocat@github.com", True)
    assert (read.name, read.username_hint) == ("monalisa octocat", "octocat")
    api_calls = [(path, headers) for method, path, headers, _ in fake.requests if method == "GET"]
    assert [path for path, _ in api_calls] == ["/user", "/user/emails"]
    for _, headers in api_calls:
        assert headers["Accept"] == "application/vnd.github+json"
        assert headers["X-GitHub-Api-Version"] == "2022-11-28"
        assert headers["Authorization"].startswith("Bearer gho_")


def test_an_unverified_primary_address_is_never_used(fake):
    """Not the unverified primary, and not another verified address either: no address at all."""
    fake.emails = "emails_primary_unverified"
    read = person(fake)
    assert (read.subject, read.email, read.email_verified) == ("1", "", False)


def test_the_public_profile_address_is_not_trusted_without_user_emails(fake):
    """/user carries a public ``email``; without /user/emails (the scope refused) nothing is known to be verified."""
    fake.emails = "emails_without_scope"
    with pytest.raises(Refused):
        person(fake)


def test_a_token_github_does_not_know_is_refused(fake):
    with pytest.raises(Refused):
        person(fake, token="gho_not_issued")


def test_a_login_without_a_numeric_id_is_refused(fake):
    fake.user = {**fake.user, "id": "1"}
    with pytest.raises(Refused):
        person(fake)


def sign_in(client, fake, slug="github"):
    started = client.post(f"/api/auth/federation/{slug}/start/", {"intent": "login"}, format="json")
    assert started.status_code == 200, started.content
    authorization_url = started.json()["authorization_url"]
    assert authorization_url.startswith(f"{fake.url}/login/oauth/authorize?")
    query = parse_qs(urlsplit(authorization_url).query)
    assert query["scope"] == ["read:user user:email"] and query["code_challenge_method"] == ["S256"]
    back = requests.get(authorization_url, allow_redirects=False, timeout=10)  # GitHub sends the browser back
    assert back.status_code == 302
    params = {k: v[0] for k, v in parse_qs(urlsplit(back.headers["Location"]).query).items()}
    return client.get(f"/api/auth/federation/{slug}/callback/", params)


def test_a_whole_sign_in_through_github(fake, provider, client):
    response = sign_in(client, fake)
    assert response.status_code == 302 and response["Location"] == "/", response.get("Location")
    assert response.cookies["refresh_token"].value
    identity = Identity.objects.get(provider=provider)
    assert identity.subject == "1" and identity.email == "octocat@github.com" and identity.email_verified
    assert identity.user.email == "octocat@github.com" and identity.user.email_verified_at is not None
    assert identity.user.username == "octocat"
    sign_in_row = FederatedSignIn.objects.get(provider=provider)
    assert sign_in_row.subject == "1" and sign_in_row.provider_sid == ""
    token_requests = [form for method, path, _, form in fake.requests if path == "/login/oauth/access_token"]
    assert len(token_requests) == 1 and token_requests[0]["code_verifier"]


def test_a_code_github_refuses_fails_the_sign_in(fake, provider, client):
    """GitHub answers a bad code with 200 and an ``error`` member: still a failure, no account."""
    fake.codes = _ForgetfulCodes()
    response = sign_in(client, fake)
    assert error_of(response) == "federation_failed"
    assert not Identity.objects.exists()


class _ForgetfulCodes(dict):
    """Codes the stand-in hands out but no longer knows at the token endpoint (used or expired at GitHub)."""

    def __setitem__(self, key, value):
        pass


def test_github_sends_no_logout_tokens(provider):
    response = APIClient().post(
        "/api/auth/federation/github/backchannel-logout/", "logout_token=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 404


def test_confirm_it_is_you_is_not_offered_through_github_which_cannot_ask_for_a_fresh_sign_in(
    fake, provider, logged_in, user
):
    """Repro: "Confirm it's you" through a linked GitHub: GitHub has no prompt=login nor auth_time and sends a
    browser signed in there straight back, so the session counted as freshly authenticated with no one present."""
    Identity.objects.create(user=user, provider=provider, subject="1")
    started = logged_in.post("/api/auth/federation/github/start/", {"intent": "reauth", "next": "/account"})
    assert started.status_code == 400, started.content
    assert started.json()["code"] == "reauthentication_unsupported"
    assert not FederationState.objects.exists()
