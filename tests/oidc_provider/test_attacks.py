"""Attacks on the provider's endpoints that once got a wrong answer: each test names the attack and its repro."""
import base64

import pytest

from tests.oidc_provider.conftest import REDIRECT, SECRET

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
