"""A tiny OpenID provider on loopback that answers whatever ID token a test forged, signed with the test's own keys.

For the attacks the real provider will not commit (an unsigned token, one
for another audience, …). Its discovery document, JWKS and token endpoint
are real HTTP on 127.0.0.1, so the code under test fetches and caches them
exactly as it does a real provider's.
"""
import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jws, jwt
from joserfc.jwk import RSAKey


def b64_json(value) -> str:
    """One part of a compact JWT, written by hand: base64url of the JSON, unpadded."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def signed_as_escaped_json(header, claims, key, *, alg="RS256") -> str:
    """A JWT whose claims are JSON with ASCII escapes (``"\\ud800"``): how a provider sends a lone surrogate,
    which ``jwt.encode`` cannot write (it encodes the claims as UTF-8 first)."""
    return jws.serialize_compact(header, json.dumps(claims).encode(), key, algorithms=[alg])


def unsigned(claims, *, alg="none", typ="JWT") -> str:
    """A token with no signature at all (``alg`` none, or an algorithm it claims but does not carry)."""
    return f"{b64_json({'alg': alg, 'typ': typ})}.{b64_json(claims)}."


class ForgingProvider:
    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "published", "use": "sig", "alg": "RS256"})
        self.published = [self.key]
        self.jwks_fetches = 0
        self.id_token = None
        self.token_extra = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/auth",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    def claims(self, *, nonce, client_id, **changes) -> dict:
        now = int(time.time())
        claims = {
            "iss": self.issuer, "sub": "forged-subject", "aud": client_id, "iat": now, "exp": now + 300,
            "nonce": nonce, "email": "forged@example.com", "email_verified": True,
        }
        claims.update(changes)
        return {key: value for key, value in claims.items() if value is not None}

    def sign(self, claims, *, key=None, header=None, escaped=False) -> str:
        key = key or self.key
        if escaped:
            return signed_as_escaped_json(header or {"alg": "RS256", "kid": key.kid}, claims, key)
        return jwt.encode(header or {"alg": "RS256", "kid": key.kid}, claims, key)

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, body, status=200):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    self._json(provider.discovery())
                elif self.path == "/jwks":
                    provider.jwks_fetches += 1
                    self._json({"keys": [key.as_dict(private=False) for key in provider.published]})
                elif self.path == "/userinfo":
                    self._json({"sub": "forged-subject", "email": "forged@example.com", "email_verified": True})
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path != "/token":
                    self._json({"error": "not_found"}, 404)
                    return
                self._json({"access_token": "forged-access-token", "token_type": "Bearer", "expires_in": 60,
                            "id_token": provider.id_token, **provider.token_extra})

        return Handler
