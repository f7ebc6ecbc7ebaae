"""Logout tokens signed with a test key, as a provider signs them (for the back-channel logout tests)."""
import time
import uuid

from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, RSAKey

from accounts.federation.logout_tokens import EVENT


class ProviderKeys:
    """A provider's signing key, its JWKS as served, and logout tokens it signs."""

    def __init__(self, kid="test-key-1"):
        self.key = RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})
        self.kid = kid

    def jwks(self):
        return {"keys": [self.key.as_dict(private=False)]}

    def claims(self, *, issuer, audience, **overrides):
        now = int(time.time())
        claims = {
            "iss": issuer, "aud": audience, "iat": now, "exp": now + 120, "jti": uuid.uuid4().hex,
            "sub": "subject-1", "sid": "provider-session-1", "events": {EVENT: {}},
        }
        claims.update(overrides)
        return {name: value for name, value in claims.items() if value is not None}

    def sign(self, claims, *, alg="RS256", key=None, header=None):
        header = {"alg": alg, "kid": self.kid, "typ": "logout+jwt", **(header or {})}
        return jwt.encode(header, claims, key or self.key, algorithms=[alg])


def other_rsa_key(kid):
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig"})


def ec_key(kid):
    return ECKey.generate_key("P-256", parameters={"kid": kid, "use": "sig"})


def hmac_key(secret):
    return OctKey.import_key(secret)
