"""POST /api/auth/federation/<slug>/backchannel-logout/: the answers of the specification, attack by attack.

The provider here is a loopback server with a test key (its discovery
document and JWKS); tests/federation/test_backchannel_provider.py has the
real provider post its own logout tokens.
"""
from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from accounts.federation import metadata
from accounts.federation.models import FederatedSignIn, Provider
from accounts.models import RefreshSession
from tests.conftest import LoggedIn, login
from tests.federation.logout_signing import KeyServer, ProviderKeys

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def keys():
    return ProviderKeys()


@pytest.fixture
def idp(keys):
    metadata.forget()
    with KeyServer(keys) as server:
        yield server
    metadata.forget()


@pytest.fixture
def provider(idp):
    return Provider.objects.create(slug="idp", name="IdP", kind="oidc", client_id="idp-client", issuer=idp.issuer)


def url(slug="idp"):
    return f"/api/auth/federation/{slug}/backchannel-logout/"


def post(token, slug="idp", body=None):
    """Form-encoded, as providers send it."""
    form = urlencode({"logout_token": token} if body is None else body)
    return APIClient().post(url(slug), form, content_type="application/x-www-form-urlencoded")


def signed_in(username, provider, *, subject="subject-1", sid="provider-session-1"):
    device = LoggedIn(APIClient(), login(APIClient(), username))
    session = RefreshSession.objects.filter(user__username=username).latest("created_at")
    FederatedSignIn.objects.create(session=session, provider=provider, subject=subject, provider_sid=sid)
    return device


def alive(device):
    return device.get("/api/auth/me/").status_code == 200


def assert_refused(response, status=400, code="logout_token_invalid"):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"] == "invalid_request" and body["code"] == code and body["detail"]
    assert response["Cache-Control"] == "no-store"


def test_a_valid_logout_token_ends_the_session_and_answers_200_no_store(make_user, provider, keys, idp):
    make_user("alice")
    device = signed_in("alice", provider)
    response = post(keys.sign(keys.claims(issuer=idp.issuer, audience="idp-client")))
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    assert not alive(device) and device.refresh().status_code == 401


def test_replayed(make_user, provider, keys, idp):
    make_user("alice")
    token = keys.sign(keys.claims(issuer=idp.issuer, audience="idp-client"))
    assert post(token).status_code == 200
    later = signed_in("alice", provider)
    assert_refused(post(token))
    assert alive(later)


def test_unsigned(make_user, provider, keys, idp):
    from tests.federation.forged import unsigned

    make_user("alice")
    device = signed_in("alice", provider)
    assert_refused(post(unsigned(keys.claims(issuer=idp.issuer, audience="idp-client"))))
    assert alive(device)


@pytest.mark.parametrize("change", [
    {"iss": "https://other.example.test"},
    {"aud": "other-client"},
    {"events": None},
    {"nonce": "abc"},
    {"sid": None, "sub": None},
    {"jti": None},
])
def test_refused_tokens_end_nothing(make_user, provider, keys, idp, change):
    make_user("alice")
    device = signed_in("alice", provider)
    claims = {**keys.claims(issuer=idp.issuer, audience="idp-client"), **change}
    assert_refused(post(keys.sign({k: v for k, v in claims.items() if v is not None})))
    assert alive(device)


def test_a_token_for_another_provider_sent_to_this_one(make_user, provider, keys, idp):
    """Both providers share keys here (the worst case): the token names the other's client, so it is refused."""
    make_user("alice")
    Provider.objects.create(slug="other", name="Other", kind="oidc", client_id="other-client",
                                    issuer=idp.issuer)
    device = signed_in("alice", provider)
    assert_refused(post(keys.sign(keys.claims(issuer=idp.issuer, audience="other-client")), slug="idp"))
    assert alive(device)
    assert post(keys.sign(keys.claims(issuer=idp.issuer, audience="other-client")), slug="other").status_code == 200
    assert alive(device)  # the other provider's logout ends only the other's sessions


def test_missing_token_garbage_and_json(provider):
    assert_refused(post(None, body={}))
    assert_refused(post("not a token"))
    json_body = APIClient().post(url(), {"logout_token": "x"}, format="json")
    assert json_body.status_code == 415 and json_body.json()["code"] == "unsupported_media_type"


def test_unknown_provider_and_github_are_404(db):
    Provider.objects.create(slug="gh", name="GitHub", kind="github", client_id="gh-client")
    assert_refused(post("x", slug="nope"), status=404, code="not_found")
    assert_refused(post("x", slug="gh"), status=404, code="not_found")


def test_the_provider_unreachable_is_400_and_ends_nothing(make_user, keys):
    metadata.forget()
    provider = Provider.objects.create(slug="idp", name="IdP", kind="oidc", client_id="idp-client",
                                       issuer="http://127.0.0.1:9")
    make_user("alice")
    device = signed_in("alice", provider)
    assert_refused(post(keys.sign(keys.claims(issuer="http://127.0.0.1:9", audience="idp-client"))),
                   code="provider_unavailable")
    assert alive(device)


def test_a_rotated_key_is_fetched_once_then_a_stream_of_unknown_kids_is_not(make_user, provider, keys, idp):
    make_user("alice")
    assert post(keys.sign(keys.claims(issuer=idp.issuer, audience="idp-client"))).status_code == 200
    fetched = idp.fetches
    stranger = ProviderKeys(kid="never-published")
    for _ in range(5):
        assert_refused(post(stranger.sign(stranger.claims(issuer=idp.issuer, audience="idp-client"))))
    assert idp.fetches <= fetched + 1
