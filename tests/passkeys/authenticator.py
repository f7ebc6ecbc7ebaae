"""A software WebAuthn authenticator and browser, for the tests: it answers options as Chromium would.

Deterministic: the key comes from a fixed seed and Ed25519 signatures carry
no randomness, so the same options give the same bytes every time (the
recorded ceremonies in ``recorded_ceremonies.json`` are its output). It can
also lie the ways an attacker would: another origin in ``clientDataJSON``,
another RP ID's hash in the authenticator data, any counter, any user handle.
"""
import base64
import hashlib
import json
import struct

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from webauthn.helpers import encode_cbor

UP, UV, AT = 0x01, 0x04, 0x40
AAGUID = bytes.fromhex("0123456789abcdef0123456789abcdef")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticator:
    """One credential (made at ``register``), answering as the browser at ``origin`` would."""

    def __init__(self, *, origin="http://localhost:8000", seed=b"gatehouse-test-key", algorithm="EdDSA",
                 counter=0, user_verified=True):
        material = hashlib.sha256(seed).digest()
        self.algorithm = algorithm
        if algorithm == "EdDSA":
            self.key = Ed25519PrivateKey.from_private_bytes(material)
        else:
            self.key = ec.derive_private_key(int.from_bytes(material, "big"), ec.SECP256R1())
        self.credential_id = hashlib.sha256(b"credential:" + seed).digest()
        self.origin = origin
        self.counter = counter
        self.user_verified = user_verified
        self.user_handle = None
        self.rp_id = None

    # ---- registration ----

    def register(self, options, *, origin=None, rp_id=None):
        """``navigator.credentials.create({publicKey: options})``, as JSON."""
        self.rp_id = rp_id or options["rp"]["id"]
        self.user_handle = options["user"]["id"]
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        auth_data = self._auth_data(self.rp_id, flags=UP | AT | (UV if self.user_verified else 0))
        auth_data += AAGUID + struct.pack(">H", len(self.credential_id)) + self.credential_id + self._cose_key()
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data),
                "attestationObject": b64(attestation),
                "transports": ["internal"],
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }

    # ---- assertion ----

    def assertion(self, options, *, origin=None, rp_id=None, counter=None, user_handle=..., user_verified=None,
                  cross_origin=False):
        """``navigator.credentials.get({publicKey: options})``, as JSON; the counter goes up by one unless given."""
        if counter is None:
            self.counter += 1
            counter = self.counter
        verified = self.user_verified if user_verified is None else user_verified
        client_data = self._client_data("webauthn.get", options["challenge"], origin, cross_origin)
        auth_data = self._auth_data(rp_id or self.rp_id or options["rpId"], flags=UP | (UV if verified else 0),
                                    counter=counter)
        signature = self._sign(auth_data + hashlib.sha256(client_data).digest())
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data),
                "authenticatorData": b64(auth_data),
                "signature": b64(signature),
                "userHandle": self.user_handle if user_handle is ... else user_handle,
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }

    # ---- pieces ----

    def _client_data(self, kind, challenge, origin, cross_origin=False):
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": cross_origin},
            separators=(",", ":"),
        ).encode()

    def _auth_data(self, rp_id, *, flags, counter=None):
        count = self.counter if counter is None else counter
        return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", count)

    def _cose_key(self):
        public = self.key.public_key()
        if self.algorithm == "EdDSA":
            raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            return encode_cbor({1: 1, 3: -8, -1: 6, -2: raw})
        numbers = public.public_numbers()
        return encode_cbor({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _sign(self, data):
        if self.algorithm == "EdDSA":
            return self.key.sign(data)
        return self.key.sign(data, ec.ECDSA(hashes.SHA256()))
