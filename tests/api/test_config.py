"""GET /api/auth/config/: what this server offers, so the browser app offers nothing that would answer 503.

Each capability is checked against the route it stands for: the config says
"no" exactly when that route refuses for want of configuration.
"""
import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

CONFIG = "/api/auth/config/"
SITE = "https://gatehouse.test"


@pytest.fixture
def fully_set_up(settings):
    settings.SITE_URL = SITE
    settings.WEBAUTHN_RP_ID = None
    settings.EMAIL_URL = "console:"
    settings.GATEHOUSE = {**settings.GATEHOUSE, "SIGNUP_ENABLED": True, "SIGNUP_EMAIL_VERIFICATION": "optional"}
    return settings


def config(**extra):
    response = APIClient().get(CONFIG, **extra)
    assert response.status_code == 200
    return response


def test_a_server_with_a_domain_and_mail_offers_everything(fully_set_up):
    response = config()

    assert response.json() == {
        "signup": True, "password_reset": True, "passkeys": True, "login_by_code": True, "email_verification": "optional",
        "trust_device_days": 30,
    }
    assert response["Cache-Control"] == "public, max-age=60"


def test_make_run_on_127_0_0_1_offers_no_passkeys_and_the_passkey_route_agrees(fully_set_up):
    # Repro: on `make run` (http://127.0.0.1:8000) "Sign in with a passkey" was offered and answered 503.
    fully_set_up.SITE_URL = "http://127.0.0.1:8000"

    assert config().json()["passkeys"] is False
    refused = APIClient().post("/api/auth/login/passkey/options/")
    assert refused.status_code == 503 and refused.json()["code"] == "passkeys_unavailable"


def test_no_site_url_offers_no_passkeys(fully_set_up):
    fully_set_up.SITE_URL = None

    assert config().json()["passkeys"] is False


def test_a_passkey_domain_is_offered_and_the_passkey_route_agrees(fully_set_up):
    assert config().json()["passkeys"] is True
    assert APIClient().post("/api/auth/login/passkey/options/").status_code == 200


def test_without_email_url_no_password_reset_is_offered_and_the_reset_route_agrees(fully_set_up):
    # Repro: the production trial without EMAIL_URL offered "Forgot password", which answered 503.
    fully_set_up.EMAIL_URL = None

    assert config().json()["password_reset"] is False
    refused = APIClient().post("/api/auth/password-reset/", {"email": "a@example.com"}, format="json")
    assert refused.status_code == 503 and refused.json()["code"] == "recovery_unavailable"


def test_with_mail_set_up_password_reset_is_offered_and_the_reset_route_agrees(fully_set_up):
    assert config().json()["password_reset"] is True
    assert APIClient().post("/api/auth/password-reset/", {"email": "a@example.com"}, format="json").status_code == 202


def test_sign_up_switched_off_is_not_offered(fully_set_up):
    fully_set_up.GATEHOUSE = {**fully_set_up.GATEHOUSE, "SIGNUP_ENABLED": False}

    assert config().json()["signup"] is False
    assert APIClient().post("/api/auth/register/", {}, format="json").status_code == 404


def test_mandatory_verification_without_mail_offers_no_sign_up(fully_set_up):
    # Sign-up would answer 503: nobody could ever confirm the address.
    fully_set_up.EMAIL_URL = None
    fully_set_up.GATEHOUSE = {**fully_set_up.GATEHOUSE, "SIGNUP_EMAIL_VERIFICATION": "mandatory"}

    body = config().json()

    assert body["signup"] is False and body["email_verification"] == "mandatory"
    refused = APIClient().post(
        "/api/auth/register/", {"username": "newbie", "email": "n@example.com", "password": "a long passphrase 42"},
        format="json",
    )
    assert refused.status_code == 503


@pytest.mark.parametrize("policy", ["none", "optional", "mandatory"])
def test_the_verification_policy_is_told(fully_set_up, policy):
    fully_set_up.GATEHOUSE = {**fully_set_up.GATEHOUSE, "SIGNUP_EMAIL_VERIFICATION": policy}

    body = config().json()

    assert body["email_verification"] == policy and body["signup"] is True


def test_the_config_needs_no_credentials_and_ignores_a_bad_token(fully_set_up):
    assert config(HTTP_AUTHORIZATION="Bearer not-a-token").json()["signup"] is True


def test_the_config_only_reads(fully_set_up):
    response = APIClient().post(CONFIG, {}, format="json")

    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"
