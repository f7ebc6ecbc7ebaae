"""Deeply nested JSON bodies are refused before the decoder recurses into them."""
import json

import pytest

from accounts.api import parsers

pytestmark = pytest.mark.django_db

JSON_ROUTES = ["/api/auth/login/", "/api/auth/register/", "/api/auth/password/"]


def nested_arrays(depth):
    return "[" * depth + "]" * depth


def nested_objects(depth):
    return '{"a":' * depth + "1" + "}" * depth


def nested_mixed(depth):
    opening = "".join('{"a":' if level % 2 else "[" for level in range(depth))
    closing = "".join("}" if level % 2 else "]" for level in reversed(range(depth)))
    return opening + "1" + closing


def post(logged_in, path, body):
    return logged_in.client.post(
        path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {logged_in.access}"
    )


@pytest.mark.parametrize("path", ["/api/auth/login/", "/api/auth/register/"])
def test_the_950_level_array_repro_is_400_json_not_a_recursion_error(client, path):
    # Repro: POST '[' * 950 + ']' * 950 (1.9 KB) to login or register -> RecursionError 500.
    response = client.post(path, nested_arrays(950), content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "parse_error"
    assert "nest" in response.json()["detail"]


@pytest.mark.parametrize("path", JSON_ROUTES)
@pytest.mark.parametrize("shape", [nested_arrays, nested_objects, nested_mixed], ids=["arrays", "objects", "mixed"])
def test_one_level_too_deep_is_refused_on_every_json_route(logged_in, path, shape):
    # Repro: a body nested parsers.MAX_JSON_DEPTH + 1 levels deep, arrays, objects or both.
    response = post(logged_in, path, shape(parsers.MAX_JSON_DEPTH + 1))

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize("path", JSON_ROUTES)
@pytest.mark.parametrize("shape", [nested_arrays, nested_objects, nested_mixed], ids=["arrays", "objects", "mixed"])
def test_the_deepest_allowed_body_reaches_validation(logged_in, path, shape):
    response = post(logged_in, path, shape(parsers.MAX_JSON_DEPTH))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"  # parsed, then refused by the serializer


def test_a_login_whose_password_holds_brackets_is_not_mistaken_for_nesting(client, make_user):
    # Brackets inside strings (and escaped quotes before them) are not structure.
    password = '\\"' + "[" * 100 + "{" * 100 + '"'
    make_user("brackets", password=password)

    response = client.post(
        "/api/auth/login/", json.dumps({"username": "brackets", "password": password}), content_type="application/json"
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    "text, depth",
    [
        ("1", 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[[", "\\"[[[", "\\\\", [2]]', 2),
        ('"\\\\\\"[[["', 0),
        ("[[]][[[]]]", 3),
    ],
)
def test_json_depth_counts_only_structural_brackets(text, depth):
    assert parsers.json_depth(text, limit=100) == depth


def test_json_depth_stops_at_the_limit_and_is_not_quadratic():
    # An unterminated string full of escaped quotes is where a naive scan goes quadratic.
    text = '"' + '\\"' * 30000

    assert parsers.json_depth(text, limit=32) == 0
    assert parsers.json_depth(nested_arrays(30000), limit=32) == 33
