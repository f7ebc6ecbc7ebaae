"""Each attack on the flow, refused, against the real provider: the state, the code, PKCE, iss, next, the origin."""
import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.federation import state as flight
from accounts.federation.models import FederationState, Identity
from accounts.models import RefreshSession
from tests.federation.conftest import Flow, error_of

pytestmark = pytest.mark.django_db


def no_session_opened():
    return not RefreshSession.objects.exists() and not Identity.objects.exists()


def test_a_callback_without_the_state_cookie_is_refused(acme, flow):
    flow.start()
    params = flow.at_provider()
    flow.client.cookies.pop(flight.COOKIE)
    assert error_of(flow.callback(params)) == "federation_failed"
    assert no_session_opened()


def test_a_callback_in_another_browser_is_refused(acme, flow):
    """Login CSRF: the attacker's own callback URL (code and state) sent to a victim's browser."""
    flow.start()
    params = flow.at_provider(login="mallory")
    victim = Flow(APIClient())
    victim.start()  # the victim even has a sign-in of their own in flight
    assert error_of(victim.callback(params)) == "federation_failed"
    assert no_session_opened()


def test_a_tampered_state_parameter_is_refused_and_spends_the_flight(acme, flow):
    flow.start()
    params = flow.at_provider()
    assert error_of(flow.callback({**params, "state": params["state"][:-2] + "xx"})) == "federation_failed"
    assert error_of(flow.callback(params)) == "federation_failed"  # used up by the refused try
    assert no_session_opened()


def test_a_missing_state_parameter_is_refused(acme, flow):
    flow.start()
    params = flow.at_provider()
    params.pop("state")
    assert error_of(flow.callback(params)) == "federation_failed"


def test_an_expired_state_is_refused(acme, flow):
    flow.start()
    params = flow.at_provider()
    with time_machine.travel(datetime.timedelta(seconds=601)):
        assert error_of(flow.callback(params)) == "federation_failed"
    assert no_session_opened()


def test_the_state_of_one_provider_does_not_finish_another(acme, other, flow):
    flow.start()
    params = flow.at_provider()
    assert error_of(flow.callback(params, slug="other")) == "federation_failed"
    assert no_session_opened()


def test_a_code_is_used_once(acme, flow):
    flow.start()
    used = flow.at_provider()
    assert flow.callback(used)["Location"] == "/"
    flow.start()
    fresh = flow.at_provider()
    assert error_of(flow.callback({**used, "state": fresh["state"]})) == "federation_failed"
    assert RefreshSession.objects.count() == 1


def test_a_pkce_verifier_that_does_not_match_is_refused_by_the_provider(acme, flow):
    flow.start()
    params = flow.at_provider()
    row = FederationState.objects.get()
    row.seal_verifier("a-verifier-that-was-never-sent-to-the-provider-" + "x" * 40)
    row.save()
    assert error_of(flow.callback(params)) == "federation_failed"
    assert no_session_opened()


def test_the_iss_of_another_provider_is_refused(acme, flow):
    """Mix-up: the answer names another issuer than the one we sent the browser to."""
    flow.start()
    params = flow.at_provider()
    assert params["iss"] == acme.issuer  # the real provider sends it (RFC 9207)
    assert error_of(flow.callback({**params, "iss": "https://evil.example"})) == "federation_failed"
    assert no_session_opened()


def test_an_answer_without_iss_from_a_provider_that_sends_it_is_refused(acme, flow):
    flow.start()
    params = flow.at_provider()
    params.pop("iss")
    assert error_of(flow.callback(params)) == "federation_failed"


def test_a_provider_disabled_mid_flow_signs_nobody_in(acme, flow):
    flow.start()
    params = flow.at_provider()
    acme.enabled = False
    acme.save()
    assert error_of(flow.callback(params)) == "federation_failed"
    assert no_session_opened()


def test_cancelled_at_the_provider(acme, flow):
    flow.start()
    response = flow.callback({"error": "access_denied", "state": flow.sent_state, "iss": acme.issuer})
    assert error_of(response) == "federation_cancelled"


@pytest.mark.parametrize("target", [
    "//evil.example/", "https://evil.example/", "/\\evil.example", "%2F%2Fevil.example", "/%2F/evil.example",
    "/%5Cevil.example", "http:/evil", "\t//evil.example", "javascript:alert(1)",
])
def test_next_is_only_ever_a_path_on_this_site(acme, flow, target):
    assert flow.through(next_path=target)["Location"] == "/"


def test_next_keeps_a_local_path(acme, flow):
    assert flow.through(next_path="/sessions?tab=all")["Location"] == "/sessions?tab=all"


def test_start_answers_404_for_an_unknown_or_disabled_provider(acme, client):
    assert client.post("/api/auth/federation/nope/start/", {}, format="json").status_code == 404
    acme.enabled = False
    acme.save()
    assert client.post("/api/auth/federation/acme/start/", {}, format="json").status_code == 404
    assert client.get("/api/auth/providers/").json() == []


def test_start_refuses_another_site(acme, client):
    response = client.post("/api/auth/federation/acme/start/", {}, format="json", HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403 and response.json()["code"] == "origin_not_allowed"


def test_start_sets_a_short_lived_httponly_lax_cookie_and_keeps_every_secret_server_side(acme, flow):
    response = flow.start()
    cookie = response.cookies[flight.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/api/auth/federation/"
    assert int(cookie["max-age"]) == 600
    row = FederationState.objects.get()
    assert cookie.value not in (row.key_digest, row.state) and "code_challenge_method=S256" in flow.authorization_url
    assert f"nonce={row.nonce}" in flow.authorization_url and row.code_verifier not in flow.authorization_url
    assert row.code_verifier not in row.code_verifier_sealed


def test_bad_start_bodies_are_400(acme, client):
    response = client.post("/api/auth/federation/acme/start/", {"intent": "steal"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_providers_lists_the_enabled_ones(acme, client):
    assert client.get("/api/auth/providers/").json() == [{"slug": "acme", "name": "Acme ID", "kind": "oidc", "domains": []}]


def test_the_error_parameter_cannot_forge_lines_in_the_server_log(acme, flow, caplog):
    """Repro: the callback with ``error=x%0A<a made-up log line>`` (after a start of one's own) wrote it to the log as is."""
    flow.start()
    forged = "x\n2026-01-01 00:00:00,000 WARNING accounts.audit admin alice promoted"
    with caplog.at_level("INFO", logger="accounts.federation.flows"):
        assert error_of(flow.callback({"error": forged, "state": flow.sent_state})) == "federation_failed"
    logged = [record.getMessage() for record in caplog.records if record.name == "accounts.federation.flows"]
    assert logged and not any("\n" in line for line in logged), logged


def test_a_secret_that_does_not_open_stops_the_start_with_provider_unavailable(acme, client, settings, caplog):
    """Not a round trip to the provider ending in invalid_client: the server says why, in its log."""
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    with caplog.at_level("ERROR", logger="accounts.federation.flows"):
        response = client.post("/api/auth/federation/acme/start/", {"intent": "login"}, format="json")
    assert response.status_code == 503 and response.json()["code"] == "provider_unavailable"
    assert "does not open under this DJANGO_SECRET_KEY" in caplog.text
