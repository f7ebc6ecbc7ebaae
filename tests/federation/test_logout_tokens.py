"""The back-channel logout token check (accounts.federation.logout_tokens), attack by attack.

Pure: tokens signed here with test keys, validated against their JWKS, no database.
"""
import base64
import time

import pytest

from accounts.federation import logout_tokens
from accounts.federation.logout_tokens import EVENT, LogoutTokenInvalid, UnknownKey
from tests.federation.forged import b64_json, unsigned
from tests.federation.logout_signing import (
    ProviderKeys,
    ec_key,
    hmac_key,
    other_rsa_key,
)

ISSUER = "https://id.example.test"
CLIENT = "gatehouse-client"


@pytest.fixture(scope="module")
def provider():
    return ProviderKeys()


def validate(provider, token, **kwargs):
    kwargs.setdefault("jwks", provider.jwks())
    return logout_tokens.validate(token, issuer=ISSUER, audience=CLIENT, **kwargs)


def forge(provider, *, issuer=ISSUER, audience=CLIENT, alg="RS256", key=None, header=None, **changes):
    """A logout token from ``provider`` for us, with ``changes`` to its claims (None leaves one out)."""
    return provider.sign(provider.claims(issuer=issuer, audience=audience, **changes), alg=alg, key=key, header=header)


def refused(provider, token, reason, **kwargs):
    with pytest.raises(LogoutTokenInvalid) as raised:
        validate(provider, token, **kwargs)
    assert raised.value.reason.startswith(reason), raised.value.reason


def test_a_valid_token_answers_its_sid_sub_and_jti(provider):
    claims = provider.claims(issuer=ISSUER, audience=CLIENT)
    answer = validate(provider, provider.sign(claims))
    assert (answer.issuer, answer.subject, answer.sid, answer.jti) == (ISSUER, "subject-1", "provider-session-1", claims["jti"])
    assert answer.remember_until.timestamp() == min(claims["exp"], claims["iat"] + logout_tokens.MAX_AGE) + logout_tokens.LEEWAY


def test_sid_alone_or_sub_alone_is_enough(provider):
    only_sid = validate(provider, forge(provider, sub=None))
    only_sub = validate(provider, forge(provider, sid=None))
    assert (only_sid.subject, only_sid.sid) == ("", "provider-session-1")
    assert (only_sub.subject, only_sub.sid) == ("subject-1", "")


def test_an_audience_list_containing_ours(provider):
    token = forge(provider, audience=[CLIENT, "other"], azp=CLIENT)
    assert validate(provider, token).subject == "subject-1"


def test_neither_sid_nor_sub_is_refused(provider):
    refused(provider, forge(provider, sid=None, sub=None), "no_sub_or_sid")


def test_without_events_is_refused(provider):
    refused(provider, forge(provider, events=None), "not_a_logout_event")


@pytest.mark.parametrize("events", [
    {"http://schemas.openid.net/event/other": {}},
    {EVENT: "yes"},
    [EVENT],
    EVENT,
])
def test_events_without_the_logout_event_object_is_refused(provider, events):
    refused(provider, forge(provider, events=events), "not_a_logout_event")


def test_with_a_nonce_is_refused(provider):
    """An ID token always carries our nonce: this is what stops one being replayed as a logout token."""
    refused(provider, forge(provider, nonce="n-0S6_WzA2Mj"), "nonce_present")


def test_an_id_token_is_refused(provider):
    now = int(time.time())
    id_token = provider.sign({"iss": ISSUER, "aud": CLIENT, "iat": now, "exp": now + 60, "sub": "subject-1",
                              "nonce": "n", "sid": "provider-session-1"})
    with pytest.raises(LogoutTokenInvalid):
        validate(provider, id_token)


def test_another_issuer_is_refused(provider):
    refused(provider, forge(provider, issuer="https://other.example.test"), "wrong_issuer")


def test_another_audience_is_refused(provider):
    refused(provider, forge(provider, audience="another-client"), "wrong_audience")
    refused(provider, forge(provider, audience=["another-client"]), "wrong_audience")


def test_an_audience_list_authorised_for_another_party_is_refused(provider):
    token = forge(provider, audience=[CLIENT, "other"], azp="other")
    refused(provider, token, "wrong_audience")


def test_without_jti_is_refused(provider):
    refused(provider, forge(provider, jti=None), "no_jti")


def test_without_iat_or_exp_is_refused(provider):
    refused(provider, forge(provider, iat=None), "missing_times")
    refused(provider, forge(provider, exp=None), "missing_times")


def test_expired_is_refused(provider):
    now = int(time.time())
    token = forge(provider, iat=now - 300, exp=now - 200)
    refused(provider, token, "expired")


def test_issued_long_ago_is_refused_even_if_it_has_not_expired(provider):
    now = int(time.time())
    token = forge(provider, iat=now - 3600, exp=now + 3600)
    refused(provider, token, "too_old")


def test_issued_in_the_future_is_refused(provider):
    now = int(time.time())
    token = forge(provider, iat=now + 600, exp=now + 900)
    refused(provider, token, "issued_in_the_future")


def test_unsigned_is_refused(provider):
    refused(provider, unsigned(provider.claims(issuer=ISSUER, audience=CLIENT), typ="logout+jwt"), "algorithm_not_allowed")


def test_a_signature_removed_is_refused(provider):
    token = forge(provider)
    header, payload, _ = token.split(".")
    refused(provider, f"{header}.{payload}.", "signature")


def test_claims_changed_after_signing_are_refused(provider):
    token = forge(provider)
    header, _, signature = token.split(".")
    forged = provider.claims(issuer=ISSUER, audience=CLIENT, sub="victim")
    refused(provider, f"{header}.{b64_json(forged)}.{signature}", "signature")


def test_hmac_keyed_by_the_client_secret_is_refused(provider):
    secret = "the client secret, which we hold too"
    token = forge(provider, alg="HS256", key=hmac_key(secret))
    jwks = {"keys": [*provider.jwks()["keys"], {"kty": "oct", "k": base64.urlsafe_b64encode(secret.encode()).decode()}]}
    refused(provider, token, "algorithm_not_allowed", jwks=jwks)


def test_signed_by_another_key_with_the_same_kid_is_refused(provider):
    impostor = other_rsa_key(provider.kid)
    token = forge(provider, key=impostor)
    refused(provider, token, "signature")


def test_an_unknown_kid_asks_for_the_jwks_again(provider):
    stranger = other_rsa_key("rotated-key")
    token = forge(provider, key=stranger, header={"kid": "rotated-key"})
    with pytest.raises(UnknownKey) as raised:
        validate(provider, token)
    assert raised.value.kid == "rotated-key"
    assert logout_tokens.key_id(token) == "rotated-key"
    rotated = {"keys": [*provider.jwks()["keys"], stranger.as_dict(private=False)]}
    assert validate(provider, token, jwks=rotated).subject == "subject-1"


def test_an_algorithm_the_provider_does_not_list_is_refused(provider):
    key = ec_key("ec-1")
    token = forge(provider, alg="ES256", key=key, header={"kid": "ec-1"})
    jwks = {"keys": [key.as_dict(private=False)]}
    assert validate(provider, token, jwks=jwks).sid == "provider-session-1"
    refused(provider, token, "algorithm_not_allowed", jwks=jwks, algorithms=["RS256"])


def test_an_algorithm_other_than_the_keys_is_refused(provider):
    """An RSA key used with an algorithm the header names but the key cannot make (alg confusion)."""
    key = ec_key(provider.kid)
    token = forge(provider, alg="ES256", key=key)
    refused(provider, token, "signature")


@pytest.mark.parametrize("garbage", ["", "a.b", "not a token", "a.b.c.d.e", "x" * (logout_tokens.MAX_LENGTH + 1), None, 7])
def test_garbage_is_refused(provider, garbage):
    with pytest.raises(LogoutTokenInvalid):
        validate(provider, garbage)


def test_the_issuer_may_be_a_function_of_the_claims(provider):
    """As Entra ID's: the issuer names the tenant of the token (``kinds.microsoft``)."""
    tenant_issuer = "https://login.example.test/tenant-1/v2.0"
    token = forge(provider, issuer=tenant_issuer, tid="tenant-1")

    def issuers(claims):
        return [f"https://login.example.test/{claims.get('tid')}/v2.0"]

    answer = logout_tokens.validate(token, jwks=provider.jwks(), issuer=issuers, audience=CLIENT)
    assert answer.issuer == tenant_issuer
    with pytest.raises(LogoutTokenInvalid):
        logout_tokens.validate(token, jwks=provider.jwks(), issuer=lambda claims: [ISSUER], audience=CLIENT)


@pytest.mark.parametrize("claim", ["sub", "sid", "jti"])
def test_a_control_character_in_sub_sid_or_jti_is_refused_before_any_query(provider, claim):
    """Repro: a logout token whose jti (or sub, sid) holds a NUL: its insert or lookup was a 500 on PostgreSQL."""
    token = provider.sign(provider.claims(issuer=ISSUER, audience=CLIENT, **{claim: "value\x00with-nul"}))
    refused(provider, token, "unusable_claim")


@pytest.mark.parametrize("unstorable", ["\ud800", "\x85"], ids=["lone-surrogate", "c1-control"])
@pytest.mark.parametrize("claim", ["sub", "sid", "jti"])
def test_a_lone_surrogate_or_c1_control_in_sub_sid_or_jti_is_refused_before_any_query(provider, claim, unstorable):
    """Repro: a logout token whose jti is "value\\ud800" (JSON's escape of a lone surrogate): it cannot be encoded
    for the database (a 500 at its insert), yet only C0 and DEL were refused."""
    claims = provider.claims(issuer=ISSUER, audience=CLIENT, **{claim: f"value{unstorable}x"})
    token = provider.sign(claims, escaped=True)
    refused(provider, token, "unusable_claim")
