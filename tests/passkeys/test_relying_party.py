"""Who the relying party is: WEBAUTHN_RP_ID (checked at start-up) or SITE_URL's host, and the origins expected."""
import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.passkeys import relying_party
from backend.env import webauthn_rp_id_from
from tests.test_settings import SECRET, run_manage


@pytest.mark.parametrize("value, site, expected", [
    (None, "https://auth.example.com", None),
    ("", "https://auth.example.com", None),
    ("auth.example.com", "https://auth.example.com", "auth.example.com"),
    ("example.com", "https://auth.example.com", "example.com"),
    ("localhost", "http://localhost:8000", "localhost"),
    ("example.com", None, "example.com"),
])
def test_rp_id_values(value, site, expected):
    assert webauthn_rp_id_from(value, site) == expected


@pytest.mark.parametrize("value, site", [
    ("https://example.com", "https://example.com"),  # a scheme
    ("example.com:443", "https://example.com"),  # a port
    ("Example.com", "https://example.com"),  # browsers compare the lower-cased form
    ("127.0.0.1", "http://127.0.0.1:8000"),  # an IP address is never an RP ID
    ("other.example", "https://auth.example.com"),  # not SITE_URL's domain
    ("xample.com", "https://auth.example.com"),  # a suffix, but not a parent domain
    ("auth.example.com", "https://example.com"),  # a subdomain of SITE_URL's host
])
def test_bad_rp_ids_stop_start_up(value, site):
    # repro: a WEBAUTHN_RP_ID no browser would accept for SITE_URL's pages, found at the first passkey not at start-up
    with pytest.raises(ImproperlyConfigured, match="WEBAUTHN_RP_ID"):
        webauthn_rp_id_from(value, site)


def test_start_up_names_the_variable():
    result = run_manage("check", DJANGO_SECRET_KEY=SECRET, SITE_URL="https://auth.example.com", WEBAUTHN_RP_ID="evil.example")
    assert result.returncode != 0 and "WEBAUTHN_RP_ID" in result.stderr


def test_the_default_is_site_urls_host_and_origin(settings):
    settings.SITE_URL, settings.WEBAUTHN_RP_ID = "https://auth.example.com:443/gatehouse", None

    assert relying_party.current() == relying_party.RelyingParty(
        id="auth.example.com", name="Gatehouse", origins=("https://auth.example.com",)
    )


def test_cors_origins_under_the_rp_id_are_expected_too_and_no_others(settings):
    settings.SITE_URL, settings.WEBAUTHN_RP_ID = "https://auth.example.com", "example.com"
    settings.CORS_ALLOWED_ORIGINS = [
        "https://app.example.com", "https://example.com:8443", "https://evil.example.net", "https://notexample.com",
    ]

    assert relying_party.current().origins == (
        "https://auth.example.com", "https://app.example.com", "https://example.com:8443",
    )


@pytest.mark.parametrize("site, rp_id", [(None, None), ("http://127.0.0.1:8000", None), (None, "example.com")])
def test_without_a_domain_passkeys_are_unavailable(settings, site, rp_id):
    # repro: development's default SITE_URL (http://127.0.0.1:8000) would make an IP address the RP ID
    settings.SITE_URL, settings.WEBAUTHN_RP_ID = site, rp_id

    with pytest.raises(relying_party.PasskeysUnavailable):
        relying_party.current()
