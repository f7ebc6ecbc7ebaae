"""Authorization code + PKCE through the consent API, tokens, userinfo, refresh rotation, and the attacks on them."""
import base64
from urllib.parse import urlencode, urlsplit

import jwt
import pytest

from accounts.models import RefreshSession, RevocationReason
from accounts.oidc_provider import tokens
from accounts.oidc_provider.models import (
    AuthorizationCode,
    BackchannelLogout,
    ClientGrant,
    OAuthConsent,
)
from tests.oidc_provider.conftest import REDIRECT, SECRET, pkce, query

pytestmark = pytest.mark.django_db
BASIC = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"app:{SECRET}".encode()).decode()}


def authorize(client, **params):
    verifier, challenge = pkce()
    base = {"client_id": "app", "redirect_uri": REDIRECT, "response_type": "code", "scope": "openid profile email",
            "state": "st-1", "nonce": "n-1", "code_challenge": challenge, "code_challenge_method": "S256"}
    base.update(params)
    base = {key: value for key, value in base.items() if value is not None}
    return client.get("/oauth/authorize/?" + urlencode(base)), verifier


def sealed(response):
    assert response.status_code == 302, response.content
    location = response["Location"]
    assert location.startswith("/authorize")
    return query(location)["request"]


def decide(logged_in, request, decision=None):
    body = {"request": request}
    if decision:
        body["decision"] = decision
    return logged_in.post("/api/auth/oauth/authorize/", body)


def code_for(logged_in, **params):
    response, verifier = authorize(logged_in.client, **params)
    answer = decide(logged_in, sealed(response), "allow")
    assert answer.status_code == 200, answer.content
    location = answer.json()["redirect_to"]
    return query(location), verifier


def exchange(client, code, verifier, *, redirect_uri=REDIRECT, auth=BASIC, **extra):
    body = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier}
    body.update(extra)
    return client.post("/oauth/token/", body, **auth)


def refresh(client, token, auth=BASIC):
    return client.post("/oauth/token/", {"grant_type": "refresh_token", "refresh_token": token}, **auth)


def test_discovery_names_the_endpoints_and_s256_only(client, confidential):
    body = client.get("/.well-known/openid-configuration").json()
    assert body["issuer"] == "http://testserver"
    assert body["authorization_endpoint"] == "http://testserver/oauth/authorize/"
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert body["response_types_supported"] == ["code"]
    assert body["id_token_signing_alg_values_supported"] == ["ES256"]
    assert body["authorization_response_iss_parameter_supported"] is True
    assert "password" not in body["grant_types_supported"]


def test_code_flow_gives_an_id_token_userinfo_and_a_grant_session(logged_in, confidential, signing_key):
    params, verifier = code_for(logged_in, scope="openid profile email offline_access")
    assert params["state"] == "st-1" and params["iss"] == "http://testserver"
    response = exchange(logged_in.client, params["code"], verifier)
    assert response.status_code == 200, response.content
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    claims = jwt.decode(body["id_token"], signing_key.public_key(), algorithms=["ES256"], audience="app",
                        issuer="http://testserver")
    grant = ClientGrant.objects.get()
    assert claims["sub"] == str(logged_in.response.json()["user"]["id"])
    assert claims["nonce"] == "n-1" and claims["sid"] == str(grant.session_id)
    assert claims["amr"] == ["pwd"] and isinstance(claims["auth_time"], int)
    assert "acr" not in claims
    assert body["refresh_token"].startswith("gho_") and body["access_token"].startswith("gha_")
    info = logged_in.client.get("/oauth/userinfo/", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert info.status_code == 200
    assert info.json()["email"] == "alice@example.com" and info.json()["preferred_username"] == "alice"
    # The grant is a session of the user's, listed with the others.
    sessions = logged_in.get("/api/auth/sessions/").json()
    assert str(grant.session_id) in {item["id"] for item in (sessions["results"] if "results" in sessions else sessions)}
    # Nothing of the code or tokens is stored in the clear.
    row = AuthorizationCode.objects.get()
    assert row.digest == tokens.digest(params["code"]) and params["code"] not in row.digest


def test_acr_when_asked(logged_in, confidential, signing_key):
    params, verifier = code_for(logged_in, acr_values="urn:gatehouse:acr:2fa")
    claims = jwt.decode(exchange(logged_in.client, params["code"], verifier).json()["id_token"],
                        signing_key.public_key(), algorithms=["ES256"], audience="app")
    assert claims["acr"] == "urn:gatehouse:acr:1fa"


def test_no_refresh_token_without_offline_access(logged_in, confidential):
    params, verifier = code_for(logged_in)
    assert "refresh_token" not in exchange(logged_in.client, params["code"], verifier).json()


def test_no_offline_access_for_a_client_denied_it(logged_in, confidential):
    confidential.allow_offline_access = False
    confidential.save()
    params, verifier = code_for(logged_in, scope="openid offline_access")
    body = exchange(logged_in.client, params["code"], verifier).json()
    assert "refresh_token" not in body and body["scope"] == "openid"


def test_refresh_rotates_and_reuse_ends_the_grant(logged_in, confidential, settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "REFRESH_TOKEN_GRACE": 0}
    params, verifier = code_for(logged_in, scope="openid offline_access")
    first = exchange(logged_in.client, params["code"], verifier).json()
    second = refresh(logged_in.client, first["refresh_token"])
    assert second.status_code == 200, second.content
    assert second.json()["refresh_token"] != first["refresh_token"]
    reuse = refresh(logged_in.client, first["refresh_token"])
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
    session = RefreshSession.objects.get(pk=ClientGrant.objects.get().pk)
    assert session.revoked_reason == RevocationReason.REUSE_DETECTED
    assert refresh(logged_in.client, second.json()["refresh_token"]).status_code == 400


def test_the_grace_window_answers_the_same_client_only(logged_in, confidential, public):
    params, verifier = code_for(logged_in, scope="openid offline_access")
    first = exchange(logged_in.client, params["code"], verifier).json()
    second = refresh(logged_in.client, first["refresh_token"]).json()
    again = refresh(logged_in.client, first["refresh_token"])
    assert again.status_code == 200 and again.json()["refresh_token"] == second["refresh_token"]
    # Client B presenting A's token: refused, and A's grant ends (the token was stolen).
    stolen = refresh(logged_in.client, second["refresh_token"], auth={})
    assert stolen.status_code == 401  # no client authentication at all
    other = logged_in.client.post("/oauth/token/", {"grant_type": "refresh_token", "client_id": "spa",
                                                    "refresh_token": second["refresh_token"]})
    assert other.status_code == 400 and other.json()["error"] == "invalid_grant"
    assert RefreshSession.objects.get(pk=ClientGrant.objects.get().pk).revoked_at is not None


def test_a_client_token_is_no_browser_token(logged_in, confidential):
    params, verifier = code_for(logged_in, scope="openid offline_access")
    body = exchange(logged_in.client, params["code"], verifier).json()
    assert logged_in.refresh(body["refresh_token"]).status_code == 401
    assert logged_in.client.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}").status_code == 401


def test_code_reuse_also_revokes_what_the_first_use_issued(logged_in, confidential):
    params, verifier = code_for(logged_in, scope="openid offline_access")
    first = exchange(logged_in.client, params["code"], verifier)
    assert first.status_code == 200
    second = exchange(logged_in.client, params["code"], verifier)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    assert refresh(logged_in.client, first.json()["refresh_token"]).status_code == 400
    info = logged_in.client.get("/oauth/userinfo/", HTTP_AUTHORIZATION=f"Bearer {first.json()['access_token']}")
    assert info.status_code == 401


def test_code_for_another_client_is_refused(logged_in, confidential, public):
    params, verifier = code_for(logged_in)
    response = logged_in.client.post("/oauth/token/", {
        "grant_type": "authorization_code", "code": params["code"], "redirect_uri": REDIRECT,
        "code_verifier": verifier, "client_id": "spa"})
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
    assert exchange(logged_in.client, params["code"], verifier).status_code == 200


@pytest.mark.parametrize("verifier", [None, "", "x" * 43, "short"])
def test_missing_or_wrong_pkce_verifier_is_refused(logged_in, confidential, verifier):
    params, _ = code_for(logged_in)
    body = {"grant_type": "authorization_code", "code": params["code"], "redirect_uri": REDIRECT}
    if verifier is not None:
        body["code_verifier"] = verifier
    response = logged_in.client.post("/oauth/token/", body, **BASIC)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_plain_pkce_and_no_pkce_are_refused_to_the_redirect_uri(client, confidential):
    for extra in ({"code_challenge_method": "plain"}, {"code_challenge": None, "code_challenge_method": None}):
        response, _ = authorize(client, **extra)
        assert response.status_code == 302
        params = query(response["Location"])
        assert response["Location"].startswith(REDIRECT)
        assert params["error"] == "invalid_request" and params["state"] == "st-1"
        assert params["iss"] == "http://testserver"


@pytest.mark.parametrize("uri", [
    REDIRECT + "/extra", REDIRECT + "?x=1", REDIRECT + "#frag", "https://app.example:444/callback",
    "https://evil.example/callback", "https://app.example/Callback",
])
def test_an_unregistered_redirect_uri_is_shown_on_our_page_never_redirected(client, confidential, uri):
    response, _ = authorize(client, redirect_uri=uri)
    assert response.status_code == 400
    assert "Location" not in response
    assert b'data-testid="oauth-error"' in response.content
    assert response["X-Frame-Options"] == "DENY"


def test_an_unknown_client_is_shown_on_our_page(client, confidential):
    response, _ = authorize(client, client_id="nobody")
    assert response.status_code == 400 and b"not registered" in response.content


def test_the_redirect_uri_at_the_token_endpoint_must_match(logged_in, confidential):
    params, verifier = code_for(logged_in)
    assert exchange(logged_in.client, params["code"], verifier, redirect_uri=REDIRECT + "x").status_code == 400


def test_state_is_passed_through_and_absent_when_dropped(logged_in, confidential):
    params, _ = code_for(logged_in, state=None)
    assert "state" not in params and params["iss"] == "http://testserver"


def test_wrong_secret_and_a_secret_for_a_public_client_are_invalid_client(logged_in, confidential, public):
    params, verifier = code_for(logged_in)
    wrong = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"app:wrong-secret").decode()}
    response = exchange(logged_in.client, params["code"], verifier, auth=wrong)
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert response["WWW-Authenticate"].startswith("Basic")
    public_with_secret = logged_in.client.post("/oauth/token/", {
        "grant_type": "authorization_code", "code": "x", "client_id": "spa", "client_secret": "anything-at-all"})
    assert public_with_secret.json()["error"] == "invalid_client"


def test_consent_is_asked_once_and_refusal_is_access_denied(logged_in, confidential):
    response, _ = authorize(logged_in.client)
    first = decide(logged_in, sealed(response))
    consent = first.json()["consent"]
    assert consent["client_name"] == "Example App" and consent["redirect_host"] == "app.example"
    assert [item["scope"] for item in consent["scopes"]] == ["openid", "profile", "email"]
    denied = decide(logged_in, sealed(response), "deny").json()["redirect_to"]
    assert query(denied)["error"] == "access_denied" and query(denied)["state"] == "st-1"
    assert not OAuthConsent.objects.exists()
    code_for(logged_in)
    response, _ = authorize(logged_in.client)
    assert "redirect_to" in decide(logged_in, sealed(response)).json()  # already agreed: no page
    response, _ = authorize(logged_in.client, scope="openid profile email offline_access")
    assert "consent" in decide(logged_in, sealed(response)).json()  # more scopes: asked again
    response, _ = authorize(logged_in.client, prompt="consent")
    assert "consent" in decide(logged_in, sealed(response)).json()


def test_a_trusted_client_skips_consent(logged_in, confidential):
    confidential.trusted = True
    confidential.save()
    response, _ = authorize(logged_in.client)
    assert "code" in query(decide(logged_in, sealed(response)).json()["redirect_to"])


def test_a_tampered_request_is_refused(logged_in, confidential):
    response, _ = authorize(logged_in.client)
    answer = decide(logged_in, sealed(response)[:-2] + "xx")
    assert answer.status_code == 400 and answer.json()["code"] == "invalid"


def test_prompt_none_without_a_session_is_login_required_to_the_client_only(client, confidential):
    response, _ = authorize(client, prompt="none")
    assert response["Location"].startswith("/authorize/silent")
    answer = client.post("/api/auth/oauth/authorize/", {"request": sealed(response)}, format="json")
    location = answer.json()["redirect_to"]
    assert location.startswith(REDIRECT) and query(location)["error"] == "login_required"


def test_prompt_none_with_a_session_and_consent_needed(logged_in, confidential):
    response, _ = authorize(logged_in.client, prompt="none")
    location = decide(logged_in, sealed(response)).json()["redirect_to"]
    assert query(location)["error"] == "consent_required"
    code_for(logged_in)
    response, _ = authorize(logged_in.client, prompt="none")
    assert "code" in query(decide(logged_in, sealed(response)).json()["redirect_to"])


def test_max_age_and_prompt_login_ask_to_confirm_it_is_you(logged_in, confidential):
    code_for(logged_in)
    RefreshSession.objects.filter(pk=logged_in.response.json().get("session_id") or None).update()
    session = RefreshSession.objects.get()
    RefreshSession.objects.filter(pk=session.pk).update(authenticated_at=session.authenticated_at.replace(year=2020))
    response, _ = authorize(logged_in.client, max_age="60")
    answer = decide(logged_in, sealed(response))
    assert answer.status_code == 403 and answer.json()["code"] == "reauthentication_required"
    response, _ = authorize(logged_in.client, prompt="login")
    assert decide(logged_in, sealed(response)).json()["code"] == "reauthentication_required"
    reauth = logged_in.post("/api/auth/reauthenticate/", {"password": "correct horse battery staple"})
    assert reauth.status_code == 200, reauth.content
    logged_in.access = reauth.json()["access"]
    response, _ = authorize(logged_in.client, max_age="60")
    assert "redirect_to" in decide(logged_in, sealed(response)).json()


def test_an_id_token_is_for_its_client_only(logged_in, confidential, public, signing_key):
    params, verifier = code_for(logged_in)
    id_token = exchange(logged_in.client, params["code"], verifier).json()["id_token"]
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(id_token, signing_key.public_key(), algorithms=["ES256"], audience="spa")


def test_logout_everywhere_ends_grants_and_queues_back_channel_logouts(logged_in, confidential):
    params, verifier = code_for(logged_in, scope="openid offline_access")
    body = exchange(logged_in.client, params["code"], verifier).json()
    assert logged_in.post("/api/auth/logout-all/").status_code in (200, 204)
    assert refresh(logged_in.client, body["refresh_token"]).status_code == 400
    row = BackchannelLogout.objects.get()
    assert row.sid == str(ClientGrant.objects.get().pk)


def test_logging_out_the_browser_ends_the_grants_made_from_it(logged_in, confidential):
    params, verifier = code_for(logged_in, scope="openid offline_access")
    body = exchange(logged_in.client, params["code"], verifier).json()
    logged_in.client.cookies["refresh_token"] = logged_in.refresh_token
    from accounts import conf
    logged_in.client.cookies[conf.cookie_name()] = logged_in.refresh_token
    assert logged_in.client.post("/api/auth/logout/").status_code in (200, 204)
    assert refresh(logged_in.client, body["refresh_token"]).status_code == 400
    assert BackchannelLogout.objects.count() == 1


def test_a_password_change_refuses_the_clients_refresh_token(logged_in, confidential, user):
    params, verifier = code_for(logged_in, scope="openid offline_access")
    body = exchange(logged_in.client, params["code"], verifier).json()
    user.set_password("another long password 123")
    user.save()
    assert refresh(logged_in.client, body["refresh_token"]).status_code == 400


def test_revocation_ends_the_grant_and_refuses_other_clients(logged_in, confidential, public):
    params, verifier = code_for(logged_in, scope="openid offline_access")
    body = exchange(logged_in.client, params["code"], verifier).json()
    other = logged_in.client.post("/oauth/revoke/", {"token": body["refresh_token"], "client_id": "spa"})
    assert other.status_code == 400 and other.json()["error"] == "unauthorized_client"
    assert logged_in.client.post("/oauth/revoke/", {"token": "nonsense"}, **BASIC).status_code == 200
    assert logged_in.client.post("/oauth/revoke/", {"token": body["refresh_token"]}, **BASIC).status_code == 200
    assert refresh(logged_in.client, body["refresh_token"]).status_code == 400


def test_the_token_endpoint_is_throttled_per_client(client, confidential, public, settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "OAUTH_TOKEN_RATE_PER_MINUTE": 3}
    answers = [client.post("/oauth/token/", {"grant_type": "refresh_token", "refresh_token": "x"}, **BASIC)
               for _ in range(4)]
    assert [a.status_code for a in answers] == [400, 400, 400, 429]
    assert int(answers[-1]["Retry-After"]) > 0
    # Another client has its own count.
    assert client.post("/oauth/token/", {"grant_type": "refresh_token", "refresh_token": "x",
                                         "client_id": "spa"}).status_code == 400


def test_unsupported_grant_types(client, confidential):
    for grant_type in ("password", "implicit", "client_credentials"):
        response = client.post("/oauth/token/", {"grant_type": grant_type}, **BASIC)
        assert response.json()["error"] == "unsupported_grant_type"


def test_implicit_response_type_is_refused(client, confidential):
    response, _ = authorize(client, response_type="token")
    assert query(response["Location"])["error"] == "unsupported_response_type"


def test_the_account_lists_connected_apps_and_can_remove_one(logged_in, confidential):
    params, verifier = code_for(logged_in, scope="openid offline_access")
    body = exchange(logged_in.client, params["code"], verifier).json()
    apps = logged_in.get("/api/auth/apps/").json()
    assert [app["client_id"] for app in apps] == ["app"] and apps[0]["active_sessions"] == 1
    assert logged_in.delete("/api/auth/apps/app/").status_code == 204
    assert logged_in.get("/api/auth/apps/").json() == []
    assert refresh(logged_in.client, body["refresh_token"]).status_code == 400
    assert logged_in.delete("/api/auth/apps/app/").status_code == 404


def test_rp_initiated_logout(logged_in, confidential):
    params, verifier = code_for(logged_in, scope="openid offline_access")
    body = exchange(logged_in.client, params["code"], verifier).json()
    bad = logged_in.client.get("/oauth/logout/?" + urlencode({
        "id_token_hint": body["id_token"], "post_logout_redirect_uri": "https://evil.example/"}))
    assert bad.status_code == 400 and "Location" not in bad
    response = logged_in.client.get("/oauth/logout/?" + urlencode({
        "id_token_hint": body["id_token"], "post_logout_redirect_uri": "https://app.example/bye", "state": "s"}))
    assert response.status_code == 302 and response["Location"].startswith("/end-session")
    assert refresh(logged_in.client, body["refresh_token"]).status_code == 400  # the grant ended at once
    answer = logged_in.post("/api/auth/oauth/end-session/", {"request": query(response["Location"])["request"]})
    assert answer.json() == {"client_name": "Example App", "redirect_to": "https://app.example/bye?state=s",
                             "ask": False, "signed_out": True}
    assert RefreshSession.objects.filter(revoked_at__isnull=True).count() == 0


def test_the_command_registers_clients_with_a_digest(monkeypatch, db):
    from django.core.management import call_command

    from accounts.oidc_provider.models import OAuthClient
    monkeypatch.setenv("APP_SECRET", "z" * 40)
    call_command("oauth_client", "set", "grafana", "--redirect-uri", "https://grafana.example/login/generic_oauth",
                 "--secret-env", "APP_SECRET", "--name", "Grafana", "--trusted", "--no-offline-access",
                 "--backchannel-logout-uri", "https://grafana.example/bc")
    client = OAuthClient.objects.get(client_id="grafana")
    assert client.trusted and not client.allow_offline_access and client.name == "Grafana"
    assert client.secret_digest and "z" * 40 not in client.secret_digest
    assert urlsplit(client.backchannel_logout_uri).path == "/bc"
