"""The README's "Using Gatehouse from other services" code, run as written against a live server.

The Python blocks of that section are taken from README.md, pointed at the
live server instead of ``https://auth.example.com``, and executed: the JWKS
verifier with RS256 keys, issuer and audience pinned, and the introspection
call before and after a logout.
"""
import re
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from rest_framework.test import APIClient

from tests.conftest import login
from tests.sessions.test_signing_keys import private_pem

# The live server answers from its own thread and connection: data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

README = Path(__file__).resolve().parent.parent / "README.md"
SECTION = "## Using Gatehouse from other services"
EXAMPLE_SITE = '"https://auth.example.com"'
AUDIENCE = "https://api.example.com"
SECRET = "other-services-" + "0123456789abcdefghijklmnopqrstuvwxyz"


def readme_examples():
    text = README.read_text()
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 2, "expected the verifier and the introspection examples"
    return "\n".join(blocks)


@pytest.fixture
def service(live_server, settings, monkeypatch, user):
    """The README's code, as another service would run it, against this Gatehouse."""
    signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings.GATEHOUSE = {
        **settings.GATEHOUSE,
        "INTROSPECTION_SECRET": SECRET,
        "JWT": {
            **settings.GATEHOUSE["JWT"], "ALGORITHM": "RS256", "PRIVATE_KEY": private_pem(signing_key),
            "PREVIOUS_PUBLIC_KEYS": None, "ISSUER": live_server.url, "AUDIENCE": AUDIENCE,
        },
    }
    monkeypatch.setenv("INTROSPECTION_SECRET", SECRET)
    code = readme_examples()
    assert EXAMPLE_SITE in code and f'"{AUDIENCE}"' in code
    namespace = {"__name__": "readme_example"}
    exec(compile(code.replace(EXAMPLE_SITE, repr(live_server.url)), str(README), "exec"), namespace)
    namespace["signing_key"] = signing_key
    return namespace


def test_the_readme_verifier_accepts_a_gatehouse_token_and_refuses_others(service, user):
    # Repro: the README had no verifier for other services, and PyJWT could not pin iss or aud.
    access = login(APIClient()).json()["access"]

    claims = service["verify"](access)

    assert claims["sub"] == str(user.pk) and claims["iss"] == service["GATEHOUSE"] and claims["aud"] == AUDIENCE
    kid = jwt.get_unverified_header(access)["kid"]
    for changes in ({"iss": "https://evil.example"}, {"aud": "https://elsewhere.example"}, {"exp": 1}):
        other = jwt.encode({**claims, **changes}, service["signing_key"], algorithm="RS256", headers={"kid": kid})
        with pytest.raises(jwt.PyJWTError):
            service["verify"](other)
    with pytest.raises(jwt.PyJWTError):
        service["verify"](access[:-4] + ("AAAA" if not access.endswith("AAAA") else "BBBB"))


def test_the_readme_introspection_sees_a_logout_at_once(service, user):
    # Repro: a service verifying with the JWKS kept accepting a logged-out token until it expired.
    browser = APIClient()
    response = login(browser)
    access = response.json()["access"]

    assert service["introspect"](access)["active"] is True
    assert service["verify"](access)["sub"] == str(user.pk)

    browser.cookies["refresh_token"] = response.cookies["refresh_token"].value
    assert browser.post("/api/auth/logout/").status_code == 204

    assert service["introspect"](access) == {"active": False}
    assert service["verify"](access)["sub"] == str(user.pk), "the JWKS alone still accepts it until it expires"
