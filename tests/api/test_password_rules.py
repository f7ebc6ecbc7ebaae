"""GET /api/auth/password-rules/: the server's own password rules, for a form to show before the first submit."""
import pytest

pytestmark = pytest.mark.django_db

RULES = "/api/auth/password-rules/"


def test_the_rules_are_the_help_texts_of_the_configured_validators(client):
    # Repro: GET /api/auth/password-rules/ without a token: the validators' help texts, in order.
    from django.contrib.auth.password_validation import password_validators_help_texts

    response = client.get(RULES)

    assert response.status_code == 200
    assert response.json() == {"rules": [str(text) for text in password_validators_help_texts()]}
    assert any("at least 10 characters" in rule for rule in response.json()["rules"])
    assert response["Cache-Control"] == "public, max-age=300"


def test_the_rules_follow_the_settings_not_a_copy(client, settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 16}},
    ]

    assert client.get(RULES).json() == {"rules": ["Your password must contain at least 16 characters."]}


def test_the_rules_need_no_token_and_ignore_a_bad_one(client):
    response = client.get(RULES, HTTP_AUTHORIZATION="Bearer not-a-token")

    assert response.status_code == 200


def test_the_rules_route_only_reads(client):
    response = client.post(RULES, {}, format="json")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
