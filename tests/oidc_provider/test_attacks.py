"""Attacks on the provider's endpoints that once got a wrong answer: each test names the attack and its repro."""
import base64
import datetime

import pytest
import time_machine
from django.test import Client

from accounts.models import RefreshSession
from tests.oidc_provider.conftest import REDIRECT, SECRET
from tests.oidc_provider.test_flows import (
    BASIC,
    authorize,
    code_for,
    decide,
    exchange,
    refresh,
    sealed,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("client_id", ["\x00", "app\x00", "a\x00b"])
def test_a_nul_in_the_client_id_is_refused_not_a_server_error(client, logged_in, confidential, client_id):
    """Repro: GET /oauth/authorize/?client_id=%00 (and the token, revocation, logout and apps routes): 500 on PostgreSQL."""
    client.raise_request_exception = logged_in.client.raise_request_exception = False
    assert client.get("/oauth/authorize/", {"client_id": client_id, "redirect_uri": REDIRECT}).status_code == 400
    assert client.get("/oauth/logout/", {"client_id": client_id}).status_code == 400
    for path in ("/oauth/token/", "/oauth/revoke/"):
        posted = client.post(path, {"grant_type": "refresh_token", "client_id": client_id, "client_secret": SECRET,
                                    "refresh_token": "x", "token": "x"})
        assert posted.status_code == 401 and posted.json()["error"] == "invalid_client", path
        basic = "Basic " + base64.b64encode(f"{client_id}:{SECRET}".encode()).decode()
        posted = client.post(path, {"grant_type": "authorization_code", "token": "x"}, HTTP_AUTHORIZATION=basic)
        assert posted.status_code == 401 and posted.json()["error"] == "invalid_client", path
    assert logged_in.delete(f"/api/auth/apps/{client_id.replace(chr(0), '%00')}/").status_code == 404


def test_max_age_zero_is_met_by_confirming_it_is_you_not_asked_again_forever(logged_in, confidential):
    """Repro: authorize with max_age=0, "Confirm it's you", post again: 403 reauthentication_required, every time.

    The session's authentication time is compared in whole seconds, so "now" was always later than it
    by a fraction; max_age=0 is prompt=login (OpenID Connect Core 3.1.2.1), which an authentication
    made after the request meets.
    """
    code_for(logged_in)
    session = RefreshSession.objects.get(client_grant__isnull=True)
    RefreshSession.objects.filter(pk=session.pk).update(
        authenticated_at=session.authenticated_at - datetime.timedelta(minutes=1)
    )
    response, _ = authorize(logged_in.client, max_age="0")
    request = sealed(response)
    assert decide(logged_in, request).json()["code"] == "reauthentication_required"
    reauth = logged_in.post("/api/auth/reauthenticate/", {"password": "correct horse battery staple"})
    assert reauth.status_code == 200, reauth.content
    logged_in.access = reauth.json()["access"]
    answer = decide(logged_in, request)
    assert answer.status_code == 200 and "code=" in answer.json()["redirect_to"], answer.content


def test_a_refresh_asking_for_wider_scopes_leaves_the_grant_as_it_was(logged_in, confidential):
    """Repro: refresh with scope beyond the grant's: invalid_scope, but the token had rotated already, so the

    client's token (the only one it has) was spent, and once the grace window passed the grant ended as a reuse.
    """
    params, verifier = code_for(logged_in, scope="openid offline_access")
    issued = exchange(logged_in.client, params["code"], verifier).json()
    wider = logged_in.client.post("/oauth/token/", {
        "grant_type": "refresh_token", "refresh_token": issued["refresh_token"], "scope": "openid email",
    }, **BASIC)
    assert wider.status_code == 400 and wider.json()["error"] == "invalid_scope"
    with time_machine.travel(datetime.timedelta(minutes=2)):
        again = refresh(logged_in.client, issued["refresh_token"])
    assert again.status_code == 200, again.content
    assert RefreshSession.objects.filter(client_grant__isnull=False, revoked_at__isnull=True).count() == 1


def test_a_browser_app_on_another_site_can_read_the_token_endpoint_and_no_cookie_rides_along(logged_in, public):
    """Repro: an SPA (a public client, PKCE) posts its code to /oauth/token/ from its own origin: the answer had no
    Access-Control-Allow-Origin, so the browser withheld it (and the preflight of a library that sends one was 405).

    ``*`` and never credentials: the endpoint reads no cookie, a client proves itself by its code and verifier.
    """
    spa = "http://127.0.0.1:5173"
    preflight = logged_in.client.options("/oauth/token/", HTTP_ORIGIN=spa, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
                                         HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type")
    assert preflight.status_code in (200, 204)
    assert preflight["Access-Control-Allow-Origin"] == "*" and "POST" in preflight["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in preflight
    params, verifier = code_for(logged_in, client_id="spa", redirect_uri=f"{spa}/cb")
    answer = logged_in.client.post("/oauth/token/", {
        "grant_type": "authorization_code", "code": params["code"], "redirect_uri": f"{spa}/cb",
        "code_verifier": verifier, "client_id": "spa",
    }, HTTP_ORIGIN=spa)
    assert answer.status_code == 200, answer.content
    assert answer["Access-Control-Allow-Origin"] == "*" and "Access-Control-Allow-Credentials" not in answer
    refused = logged_in.client.post("/oauth/token/", {"grant_type": "refresh_token", "refresh_token": "x",
                                                      "client_id": "spa"}, HTTP_ORIGIN=spa)
    assert refused.status_code == 400 and refused["Access-Control-Allow-Origin"] == "*"
    revoked = logged_in.client.post("/oauth/revoke/", {"token": answer.json()["access_token"], "client_id": "spa"},
                                    HTTP_ORIGIN=spa)
    assert revoked.status_code == 200 and revoked["Access-Control-Allow-Origin"] == "*"


def test_rp_initiated_logout_by_a_form_post_from_the_application_is_not_refused_as_csrf(confidential):
    """Repro: the application's page posts the logout form to /oauth/logout/ (RP-Initiated Logout 1.0 allows
    GET and POST): Django's CSRF page, 403, since the view took POST without being exempt as /oauth/authorize/ is.

    Nothing is lost by exempting it: a GET does the same, and the Gatehouse session ends only on the app's page.
    """
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/oauth/logout/", {
        "client_id": "app", "post_logout_redirect_uri": "https://app.example/bye", "state": "s-1",
    }, HTTP_ORIGIN="https://app.example")
    assert response.status_code == 302 and response["Location"].startswith("/end-session?request=")
