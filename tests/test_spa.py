import pytest

pytestmark = pytest.mark.django_db


def test_spa_is_served_for_deep_links(client, settings):
    for path in ["/", "/sessions", "/account", "/some/deep/link"]:
        response = client.get(path)
        assert response.status_code == 200
        assert b'<meta name="signup-enabled" content="true">' in response.content


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]

    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy and "base-uri 'none'" in policy


def test_spa_shell_says_when_sign_up_is_off(client, settings):
    settings.GATEHOUSE = {**settings.GATEHOUSE, "SIGNUP_ENABLED": False}

    assert b'<meta name="signup-enabled" content="false">' in client.get("/login").content


def test_spa_shell_is_not_served_for_post(client):
    assert client.post("/").status_code == 405
