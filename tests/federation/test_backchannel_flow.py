"""Ending our sessions from a provider's logout token (accounts.federation.backchannel), with tokens signed here.

The sessions are opened by a password login and marked as opened through the
provider (the ``FederatedSignIn`` row the callback writes), so these tests
hold whatever the callback does; tests/federation/test_backchannel_provider.py
drives the real provider.
"""
import pytest
from rest_framework.test import APIClient

from accounts.federation import backchannel
from accounts.federation.logout_tokens import LogoutTokenInvalid
from accounts.federation.models import FederatedSignIn, Provider, UsedLogoutToken
from accounts.models import (
    RefreshSession,
    RevocationReason,
    SecurityEvent,
    SecurityEventKind,
)
from tests.conftest import LoggedIn, login
from tests.federation.logout_signing import ProviderKeys

pytestmark = pytest.mark.django_db

ISSUER = "https://id.example.test"


@pytest.fixture(scope="module")
def keys():
    return ProviderKeys()


@pytest.fixture
def provider():
    return make_provider("idp", ISSUER)


def make_provider(slug, issuer):
    return Provider.objects.create(slug=slug, name=slug.upper(), kind="oidc", client_id=f"{slug}-client", issuer=issuer)


def signed_in(username, provider, *, subject="subject-1", sid="provider-session-1"):
    """A session of ``username`` opened "through" ``provider`` for its session ``sid``."""
    device = LoggedIn(APIClient(), login(APIClient(), username))
    session = RefreshSession.objects.filter(user__username=username).latest("created_at")
    device.client = APIClient()
    FederatedSignIn.objects.create(session=session, provider=provider, subject=subject, provider_sid=sid)
    return device


def log_out(provider, token, keys):
    return backchannel.log_out(
        provider=provider, logout_token=token, client=CLIENT, issuer=provider.issuer,
        keys=lambda refresh=False: keys.jwks(),
    )


class _Client:
    ip_address, user_agent = "192.0.2.1", "provider back-channel"


CLIENT = _Client()


def alive(device):
    return device.get("/api/auth/me/").status_code == 200


def test_a_logout_token_for_a_provider_session_ends_the_sessions_it_opened(make_user, provider, keys):
    make_user("alice")
    first, second = signed_in("alice", provider), signed_in("alice", provider)
    other_provider_session = signed_in("alice", provider, sid="provider-session-2")
    by_password = LoggedIn(APIClient(), login(APIClient(), "alice"))
    assert all(alive(d) for d in (first, second, other_provider_session, by_password))

    ended = log_out(provider, keys.sign(keys.claims(issuer=ISSUER, audience="idp-client")), keys)

    assert ended == 2
    assert not alive(first) and not alive(second)
    assert alive(other_provider_session) and alive(by_password)
    assert first.refresh().status_code == 401
    revoked = RefreshSession.objects.filter(revoked_reason=RevocationReason.PROVIDER_LOGOUT)
    assert revoked.count() == 2
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.SESSION_REVOKED, reason="provider_logout").count() == 2


def test_a_token_with_sub_only_ends_every_session_of_that_subject_at_that_provider(make_user, provider, keys):
    make_user("alice"), make_user("bob")
    alice_1, alice_2 = signed_in("alice", provider, sid="s1"), signed_in("alice", provider, sid="s2")
    bob = signed_in("bob", provider, subject="subject-2", sid="s3")
    elsewhere = signed_in("alice", make_provider("other", "https://other.example.test"), sid="s1")

    assert log_out(provider, keys.sign(keys.claims(issuer=ISSUER, audience="idp-client", sid=None)), keys) == 2
    assert not alive(alice_1) and not alive(alice_2)
    assert alive(bob) and alive(elsewhere)


def test_a_token_with_sid_and_sub_must_match_both(make_user, provider, keys):
    make_user("alice")
    device = signed_in("alice", provider, subject="subject-1", sid="s1")
    token = keys.sign(keys.claims(issuer=ISSUER, audience="idp-client", sub="someone-else", sid="s1"))
    assert log_out(provider, token, keys) == 0
    assert alive(device)


def test_a_token_naming_no_session_of_ours_is_still_a_success(provider, keys):
    assert log_out(provider, keys.sign(keys.claims(issuer=ISSUER, audience="idp-client")), keys) == 0
    assert UsedLogoutToken.objects.count() == 1


def test_a_replayed_token_is_refused(make_user, provider, keys):
    make_user("alice")
    token = keys.sign(keys.claims(issuer=ISSUER, audience="idp-client"))
    signed_in("alice", provider)
    assert log_out(provider, token, keys) == 1
    later = signed_in("alice", provider)  # a new sign-in through the same provider session
    with pytest.raises(backchannel.Replayed):
        log_out(provider, token, keys)
    assert alive(later)


def test_the_same_jti_from_another_provider_is_not_a_replay(make_user, provider, keys):
    other = make_provider("other", "https://other.example.test")
    jti = "shared-jti"
    log_out(provider, keys.sign(keys.claims(issuer=ISSUER, audience="idp-client", jti=jti)), keys)
    log_out(other, keys.sign(keys.claims(issuer=other.issuer, audience="other-client", jti=jti)), keys)
    assert UsedLogoutToken.objects.filter(jti=jti).count() == 2


def test_a_token_for_another_provider_is_refused_and_ends_nothing(make_user, provider, keys):
    make_user("alice")
    device = signed_in("alice", provider)
    other = make_provider("other", "https://other.example.test")
    for token in [
        keys.sign(keys.claims(issuer=other.issuer, audience="idp-client")),      # another issuer
        keys.sign(keys.claims(issuer=ISSUER, audience="other-client")),          # another client
    ]:
        with pytest.raises(LogoutTokenInvalid):
            log_out(provider, token, keys)
    assert alive(device) and UsedLogoutToken.objects.count() == 0


def test_a_refused_token_leaves_its_jti_usable(make_user, provider, keys):
    """A token refused for its content does not burn the jti (nothing was done)."""
    claims = keys.claims(issuer=ISSUER, audience="idp-client")
    with pytest.raises(LogoutTokenInvalid):
        log_out(provider, keys.sign({**claims, "nonce": "x"}), keys)
    assert log_out(provider, keys.sign(claims), keys) == 0


def test_an_unknown_kid_fetches_the_keys_again_once(make_user, provider, keys):
    rotated = ProviderKeys(kid="rotated")
    asked = []

    def provider_keys(refresh=False):
        asked.append(refresh)
        return rotated.jwks() if refresh else keys.jwks()

    make_user("alice")
    device = signed_in("alice", provider)
    token = rotated.sign(rotated.claims(issuer=ISSUER, audience="idp-client"))
    ended = backchannel.log_out(provider=provider, logout_token=token, client=CLIENT, issuer=ISSUER, keys=provider_keys)
    assert ended == 1 and asked == [False, True] and not alive(device)


def test_expired_jtis_are_forgotten(provider, keys):
    from datetime import timedelta

    from django.utils import timezone

    UsedLogoutToken.objects.create(provider=provider, jti="old", expires_at=timezone.now() - timedelta(seconds=1))
    log_out(provider, keys.sign(keys.claims(issuer=ISSUER, audience="idp-client")), keys)
    assert not UsedLogoutToken.objects.filter(jti="old").exists()
