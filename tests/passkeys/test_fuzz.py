"""Generated and mangled credentials for every passkey route: no answer is ever a server error."""
import json
import os

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.passkeys.models import Passkey
from tests.passkeys import recording
from tests.passkeys.authenticator import SoftAuthenticator, b64, unb64

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "30")), deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ROUTES = ["/api/auth/passkeys/", "/api/auth/login/passkey/", "/api/auth/reauthenticate/"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=100),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=4),
    max_leaves=15,
)
b64_text = st.binary(max_size=200).map(b64)
credential_like = st.fixed_dictionaries({}, optional={
    "id": b64_text | json_values, "rawId": b64_text | json_values, "type": st.just("public-key") | json_values,
    "response": st.fixed_dictionaries({}, optional={
        name: b64_text | json_values
        for name in ("clientDataJSON", "attestationObject", "authenticatorData", "signature", "userHandle")
    }) | json_values,
})


@pytest.fixture
def bearer(relying_party, logged_in, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    # Hundreds of sign-ins from one address: the rate limit is not what these test.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "login_ip": None})
    return logged_in


def post(bearer, path, body):
    return APIClient().post(path, json.dumps(body), content_type="application/json", **bearer.bearer)


@pytest.mark.parametrize("path", ROUTES)
@FUZZ
@given(credential=credential_like)
def test_arbitrary_credentials_never_get_a_server_error(bearer, path, credential):
    response = post(bearer, path, {"credential": credential})
    assert response.status_code < 500, response.content


def mangle(data, position, value):
    raw = bytearray(unb64(data))
    if raw:
        raw[position % len(raw)] = value
    return b64(bytes(raw))


@pytest.mark.parametrize("field", ["clientDataJSON", "attestationObject"])
@FUZZ
@given(position=st.integers(min_value=0, max_value=4096), value=st.integers(min_value=0, max_value=255))
def test_a_mangled_registration_never_gets_a_server_error(bearer, field, position, value):
    options = bearer.post("/api/auth/passkeys/options/").json()
    credential = SoftAuthenticator(origin=recording.ORIGIN, seed=b"fuzz").register(options)
    credential["response"][field] = mangle(credential["response"][field], position, value)

    response = post(bearer, "/api/auth/passkeys/", {"credential": credential})
    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:  # a harmless change: the next example starts again without a factor
        Passkey.objects.all().delete()
        get_user_model().objects.update(mfa_enabled=False)


@pytest.fixture
def authenticator(bearer):
    authenticator = SoftAuthenticator(origin=recording.ORIGIN, seed=b"fuzz")
    options = bearer.post("/api/auth/passkeys/options/").json()
    assert post(bearer, "/api/auth/passkeys/", {"credential": authenticator.register(options)}).status_code == 201
    return authenticator


@pytest.mark.parametrize("field", ["clientDataJSON", "authenticatorData", "signature"])
@FUZZ
@given(position=st.integers(min_value=0, max_value=4096), value=st.integers(min_value=0, max_value=255))
def test_a_mangled_assertion_never_signs_in_or_gets_a_server_error(authenticator, field, position, value):
    client = APIClient()
    credential = authenticator.assertion(client.post("/api/auth/login/passkey/options/").json())
    original = credential["response"][field]
    credential["response"][field] = mangle(original, position, value)

    response = client.post("/api/auth/login/passkey/", {"credential": credential}, format="json")
    expected = 200 if credential["response"][field] == original else 401
    assert response.status_code == expected, response.content
