"""Forged ID tokens, each refused: unsigned, HMAC with the client secret, an unknown key, wrong claims, expired."""
import time

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey
from rest_framework.test import APIClient

from accounts.federation import metadata
from accounts.federation.models import FederationState, Identity, Provider
from accounts.models import RefreshSession
from tests.federation.conftest import error_of
from tests.federation.forged import ForgingProvider, unsigned

pytestmark = pytest.mark.django_db

CLIENT_ID = "gatehouse-forged"
CLIENT_SECRET = "the-client-secret-an-attacker-may-know-0123456789"


@pytest.fixture(scope="module")
def forging():
    running = ForgingProvider()
    yield running
    running.stop()


@pytest.fixture
def forged(db, forging):
    metadata.forget()
    forging.published = [forging.key]
    forging.jwks_fetches = 0
    forging.token_extra = {}
    provider = Provider(slug="forged", name="Forged", kind="oidc", client_id=CLIENT_ID, issuer=forging.issuer)
    provider.set_client_secret(CLIENT_SECRET)
    provider.save()
    yield forging
    metadata.forget()


class Attempt:
    """One sign-in started at the forging provider, to be answered with a token the test forged."""

    def __init__(self, provider):
        self.provider, self.client = provider, APIClient()
        response = self.client.post("/api/auth/federation/forged/start/", {}, format="json")
        assert response.status_code == 200, response.content
        self.flight = FederationState.objects.get()

    def claims(self, **changes):
        return self.provider.claims(**{"nonce": self.flight.nonce, "client_id": CLIENT_ID, **changes})

    def forge(self, *, key=None, **changes) -> str:
        """This sign-in's ID token with ``changes`` to its claims, signed with ``key`` (default: the published key)."""
        return self.provider.sign(self.claims(**changes), key=key)

    def forge_with_client_secret(self) -> str:
        """This sign-in's ID token signed HS256 with the client secret, which the attacker may know."""
        return jwt.encode({"alg": "HS256"}, self.claims(), OctKey.import_key(CLIENT_SECRET))

    def answer(self, id_token):
        self.provider.id_token = id_token
        return self.client.get("/api/auth/federation/forged/callback/", {
            "code": "any-code", "state": self.flight.state, "iss": self.provider.issuer,
        })

    def refuses(self, id_token) -> bool:
        """The callback answered with ``id_token`` is refused, and nobody is signed in."""
        response = self.answer(id_token)
        return error_of(response) == "federation_failed" and not RefreshSession.objects.exists()


@pytest.fixture
def attempt(forged):
    return Attempt(forged)


def test_a_properly_signed_token_signs_in(attempt):
    """The control: the same set-up with a good token works, so the refusals below are the token's."""
    response = attempt.answer(attempt.forge())
    assert response["Location"] == "/" and Identity.objects.get().subject == "forged-subject"


def test_alg_none_is_refused(attempt):
    assert attempt.refuses(unsigned(attempt.claims()))


def test_hs256_signed_with_the_client_secret_is_refused(attempt):
    assert attempt.refuses(attempt.forge_with_client_secret())


def test_hs256_is_refused_even_when_the_provider_lists_it(forged, monkeypatch):
    monkeypatch.setattr(forged, "discovery", lambda original=forged.discovery: {
        **original(), "id_token_signing_alg_values_supported": ["RS256", "HS256"]})
    attempt = Attempt(forged)  # started after the change: the start reads the discovery document
    assert attempt.refuses(attempt.forge_with_client_secret())


def test_a_key_the_provider_never_published_is_refused_after_one_refetch(forged, monkeypatch):
    stranger = RSAKey.generate_key(2048, parameters={"kid": "stranger"})
    monkeypatch.setattr(metadata, "JWKS_REFETCH_INTERVAL", 0.0)  # the cached set is old enough to ask again
    attempt = Attempt(forged)
    assert attempt.refuses(attempt.forge(key=stranger))
    assert forged.jwks_fetches == 2  # the cached set, then once more for the unknown kid
    monkeypatch.setattr(metadata, "JWKS_REFETCH_INTERVAL", 3600.0)
    again = Attempt(forged)
    assert again.refuses(again.forge(key=stranger))
    assert forged.jwks_fetches == 2  # not again so soon: forged kids cannot make us hammer the provider


def test_a_rotated_key_is_fetched_when_a_token_names_it(forged, attempt, monkeypatch):
    assert attempt.answer(attempt.forge())["Location"] == "/"  # caches the first key set
    monkeypatch.setattr(metadata, "JWKS_REFETCH_INTERVAL", 0.0)
    rotated = RSAKey.generate_key(2048, parameters={"kid": "rotated", "use": "sig", "alg": "RS256"})
    forged.published = [forged.key, rotated]
    again = Attempt(forged)
    assert again.answer(again.forge(key=rotated))["Location"] == "/"


def test_an_algorithm_the_provider_does_not_list_is_refused(forged, attempt):
    other_alg = RSAKey.generate_key(2048, parameters={"kid": "rs512", "use": "sig", "alg": "RS512"})
    forged.published = [forged.key, other_alg]  # published, but for an algorithm the metadata does not list
    token = jwt.encode({"alg": "RS512", "kid": "rs512"}, attempt.claims(), other_alg, algorithms=["RS512"])
    assert attempt.refuses(token)  # RS512 is not what the provider lists


@pytest.mark.parametrize("changes", [
    {"iss": "https://evil.example"},
    {"iss": None},
    {"aud": "another-client"},
    {"aud": ["another-client"]},
    {"aud": [CLIENT_ID, "another-client"], "azp": "another-client"},
    {"nonce": "a-nonce-of-another-sign-in"},
    {"nonce": None},
    {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
    {"exp": None},
    {"iat": None},
    {"sub": None},
    {"sub": ""},
    {"sub": 12345},
], ids=lambda changes: ",".join(f"{k}={v}" for k, v in changes.items()))
def test_wrong_claims_are_refused(attempt, changes):
    assert attempt.refuses(attempt.forge(**changes))


def test_an_access_token_that_does_not_match_at_hash_is_refused(attempt):
    assert attempt.refuses(attempt.forge(at_hash="AAAAAAAAAAAAAAAAAAAAAA"))


def test_no_id_token_is_refused(attempt):
    assert attempt.refuses(None)


def test_garbage_is_refused(attempt):
    assert attempt.refuses("not.a.token")


def test_a_discovery_document_for_another_issuer_makes_the_provider_unavailable(forged, monkeypatch):
    monkeypatch.setattr(forged, "discovery", lambda original=forged.discovery: {**original(), "issuer": "https://x"})
    response = APIClient().post("/api/auth/federation/forged/start/", {}, format="json")
    assert response.status_code == 503 and response.json()["code"] == "provider_unavailable"


def test_an_unreachable_provider_answers_503_not_a_crash(db):
    provider = Provider(slug="down", name="Down", kind="oidc", client_id="x", issuer="http://127.0.0.1:9")
    provider.set_client_secret("s")
    provider.save()
    metadata.forget()
    response = APIClient().post("/api/auth/federation/down/start/", {}, format="json")
    assert response.status_code == 503 and response["Retry-After"]
