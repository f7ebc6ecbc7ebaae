"""What differs between presets: Entra ID's tenant-dependent issuer and unverified addresses, Google's issuer."""
from accounts.federation.kinds import google, microsoft, oidc

TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"
OTHER_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
MULTI = {"issuer": "https://login.microsoftonline.com/{tenantid}/v2.0"}
SINGLE = {"issuer": f"https://login.microsoftonline.com/{TENANT}/v2.0"}


def test_a_multi_tenant_id_token_must_name_its_own_tenant_in_iss():
    kind = microsoft.KIND
    assert kind.expected_issuers(metadata=MULTI, claims={"tid": TENANT}) == [
        f"https://login.microsoftonline.com/{TENANT}/v2.0"
    ]
    assert kind.expected_issuers(metadata=MULTI, claims={}) == []
    assert kind.expected_issuers(metadata=MULTI, claims={"tid": "../evil"}) == []


def test_a_single_tenant_id_token_must_carry_exactly_its_issuer():
    assert microsoft.KIND.expected_issuers(metadata=SINGLE, claims={"tid": OTHER_TENANT}) == [SINGLE["issuer"]]


def test_the_authorization_response_iss_of_entra():
    kind = microsoft.KIND
    assert kind.authorization_response_issuer_ok(metadata=MULTI, iss=SINGLE["issuer"])
    assert not kind.authorization_response_issuer_ok(metadata=MULTI, iss="https://evil.example/x/v2.0")
    assert not kind.authorization_response_issuer_ok(metadata=MULTI, iss="https://login.microsoftonline.com/x/v2.0")
    assert kind.authorization_response_issuer_ok(metadata=SINGLE, iss=SINGLE["issuer"])


def test_discovery_of_common_publishes_the_template():
    kind = microsoft.KIND
    assert kind.discovered_issuer_ok(configured=kind.default_issuer, discovered=MULTI["issuer"])
    assert not kind.discovered_issuer_ok(configured=kind.default_issuer, discovered="https://evil.example")
    assert kind.discovered_issuer_ok(configured=SINGLE["issuer"], discovered=SINGLE["issuer"])
    assert not kind.discovered_issuer_ok(configured=SINGLE["issuer"], discovered=MULTI["issuer"])


def test_entra_addresses_are_unverified_unless_the_domain_owner_verified_them():
    kind = microsoft.KIND
    assert not kind.person(claims={"sub": "s", "email": "a@b.test", "email_verified": True}).email_verified
    assert kind.person(claims={"sub": "s", "email": "a@b.test", "xms_edov": True}).email_verified


def test_google_tokens_may_name_the_issuer_without_its_scheme():
    issuers = google.KIND.expected_issuers(metadata={"issuer": "https://accounts.google.com"}, claims={})
    assert set(issuers) == {"https://accounts.google.com", "accounts.google.com"}


def test_only_a_json_true_verifies_an_address():
    assert not oidc.KIND.person(claims={"sub": "s", "email": "a@b.test", "email_verified": "true"}).email_verified
    assert oidc.KIND.person(claims={"sub": "s", "email": "a@b.test", "email_verified": True}).email_verified


def test_userinfo_of_another_subject_is_ignored():
    person = oidc.KIND.person(claims={"sub": "s"}, userinfo={"sub": "other", "email": "victim@b.test",
                                                             "email_verified": True})
    assert person.email == "" and not person.email_verified
