"""Logout tokens signed with a test key, as a provider signs them (for the back-channel logout tests)."""
import time
import uuid

from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, RSAKey

from accounts.federation.logout_tokens import EVENT
from tests.federation.forged import signed_as_escaped_json


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

    def sign(self, claims, *, alg="RS256", key=None, header=None, escaped=False):
        header = {"alg": alg, "kid": self.kid, "typ": "logout+jwt", **(header or {})}
        if escaped:
            return signed_as_escaped_json(header, claims, key or self.key, alg=alg)
        return jwt.encode(header, claims, key or self.key, algorithms=[alg])


def other_rsa_key(kid):
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig"})


def ec_key(kid):
    return ECKey.generate_key("P-256", parameters={"kid": kid, "use": "sig"})


def hmac_key(secret):
    return OctKey.import_key(secret)


class KeyServer:
    """The provider's discovery document and JWKS on loopback, for tokens signed with ``ProviderKeys``.

    ``with KeyServer(keys) as server:``; ``server.issuer`` is its issuer; ``server.fetches`` counts JWKS fetches.
    """

    def __init__(self, keys):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.keys, self.fetches = keys, 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                import json

                if self.path == "/.well-known/openid-configuration":
                    body = {
                        "issuer": server.issuer, "authorization_endpoint": f"{server.issuer}/auth",
                        "token_endpoint": f"{server.issuer}/token", "jwks_uri": f"{server.issuer}/jwks",
                        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                        "backchannel_logout_supported": True, "backchannel_logout_session_supported": True,
                    }
                elif self.path == "/jwks":
                    server.fetches += 1
                    body = server.keys.jwks()
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self.issuer = f"http://127.0.0.1:{self._http.server_address[1]}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._http.shutdown()
        self._http.server_close()
