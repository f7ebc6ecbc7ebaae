"""Access-token keys: the signing key, older keys still trusted, and the JWKS.

HS256 (the default) signs and verifies with one secret. RS256, ES256 and EdDSA
sign with a private key from the environment and publish the public keys at
``/.well-known/jwks.json``, so that other services can verify access tokens
without sharing a secret. Every token names its key in the ``kid`` header; after
a rotation, tokens signed with the previous key keep verifying while its public
key stays listed in ``JWT_PREVIOUS_PUBLIC_KEYS`` (keep it there for at least one
access-token lifetime plus ``JWKS_MAX_AGE``); the next key can be published
there ahead of its use. Only the configured algorithm is ever accepted.

Tokens carry ``iss`` (``JWT_ISSUER``, default ``SITE_URL``) and, when
``JWT_AUDIENCE`` is set, ``aud``; both are checked on every token verified
here, so a token signed with our key for another issuer or audience is
refused like a forged one (and one carrying an ``aud`` when none is configured).

The Ed25519 key is published without ``alg``: RFC 9864 deprecates the
polymorphic ``EdDSA`` for the fully-specified ``Ed25519``, and a JWK naming
either one is refused by verifiers that want the other (PyJWT skips a key
whose ``alg`` is ``Ed25519``; joserfc will not use a key marked ``EdDSA`` for
``Ed25519``). Without ``alg`` the key (``kty`` OKP, ``crv`` Ed25519) says all
a verifier needs. Tokens still name ``EdDSA`` in their header: that is the
only name PyJWT verifies today.
"""
import base64
import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache

import jwt
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from jwt.algorithms import get_default_algorithms
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenBackendExpiredToken
from rest_framework_simplejwt.tokens import AccessToken

SYMMETRIC = "HS256"
ASYMMETRIC = ("RS256", "ES256", "EdDSA")

# Seconds a verifier may cache the JWKS (its Cache-Control). A rotation keeps
# the old public key listed for at least ACCESS_TOKEN_TTL + this (README).
JWKS_MAX_AGE = 300


@dataclass(frozen=True)
class PublicKey:
    kid: str
    key: object
    jwk: dict


class KeyringTokenBackend(TokenBackend):
    """simplejwt's backend, signing with a ``kid`` and verifying by it."""

    def __init__(self, *, algorithm, signing_key, signing_kid, verifying_keys, issuer=None, audience=None):
        super().__init__(algorithm, signing_key, issuer=issuer, audience=audience)
        self.signing_kid = signing_kid
        self.verifying_keys = verifying_keys  # kid -> key

    def encode(self, payload):
        claims = dict(payload)
        if self.issuer is not None:
            claims["iss"] = self.issuer
        if self.audience is not None:
            claims["aud"] = self.audience
        return jwt.encode(claims, self.prepared_signing_key, algorithm=self.algorithm, headers={"kid": self.signing_kid})

    def decode(self, token, verify=True):
        """simplejwt's decode, but the audience is always checked (strictly: our one string).

        simplejwt skips the ``aud`` check when no audience is configured, which
        lets a token minted for some other audience in; PyJWT's own rule
        refuses it.
        """
        try:
            return jwt.decode(
                token,
                self.get_verifying_key(token),
                algorithms=[self.algorithm],
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.get_leeway(),
                options={"verify_signature": verify, "verify_aud": verify, "strict_aud": self.audience is not None},
            )
        except jwt.InvalidAlgorithmError as error:
            raise TokenBackendError("Invalid algorithm specified") from error
        except jwt.ExpiredSignatureError as error:
            raise TokenBackendExpiredToken("Token is expired") from error
        except jwt.InvalidTokenError as error:
            raise TokenBackendError("Token is invalid") from error

    def get_verifying_key(self, token):
        # Runs inside TokenBackend.decode's try: a PyJWT error here is a 401.
        kid = _unverified_kid(token)
        if not isinstance(kid, str) or kid not in self.verifying_keys:
            raise jwt.InvalidTokenError("Unknown signing key.")
        return self.verifying_keys[kid]


_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


def _unverified_kid(token):
    """The ``kid`` of a compact JWS, reading the header segment only.

    Only picks the key: PyJWT's decode then checks the whole token with it.
    ``jwt.get_unverified_header`` would decode and validate all three segments
    (character by character, in Python) just to be done again by decode.
    """
    if isinstance(token, bytes):
        token = token.decode("ascii", "replace")
    segment = token.split(".", 1)[0]
    if not _BASE64URL.fullmatch(segment) or len(segment) % 4 == 1:
        raise jwt.DecodeError("Invalid header padding")
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, RecursionError):
        raise jwt.DecodeError("Invalid header string") from None
    if not isinstance(header, dict):
        raise jwt.DecodeError("Invalid header string: must be a json object")
    return header.get("kid")


class GatehouseAccessToken(AccessToken):
    """simplejwt's access token, signed and verified with the keyring."""

    def get_token_backend(self):
        return keyring().backend


@dataclass(frozen=True)
class Keyring:
    backend: KeyringTokenBackend
    public_keys: tuple

    def jwks(self) -> dict:
        return {"keys": [key.jwk for key in self.public_keys]}


@cache
def keyring() -> Keyring:
    config = settings.GATEHOUSE["JWT"]
    algorithm = config["ALGORITHM"]
    if algorithm == SYMMETRIC:
        return _symmetric_keyring(config)
    if algorithm in ASYMMETRIC:
        return _asymmetric_keyring(config)
    raise ImproperlyConfigured(f"JWT_ALGORITHM must be one of HS256, RS256, ES256, EdDSA; got {algorithm!r}.")


@receiver(setting_changed)
def _forget_keys(setting, **kwargs):
    if setting in ("GATEHOUSE", "SECRET_KEY", "SITE_URL"):
        keyring.cache_clear()


def issuer() -> str | None:
    """The ``iss`` of our tokens: ``JWT_ISSUER``, else ``SITE_URL``; None when neither is set."""
    return settings.GATEHOUSE["JWT"].get("ISSUER") or getattr(settings, "SITE_URL", None) or None


def _symmetric_keyring(config):
    secret = config["SIGNING_KEY"]
    kid = "hs-" + hashlib.sha256(b"gatehouse-kid\x00" + secret.encode()).hexdigest()[:16]
    backend = KeyringTokenBackend(
        algorithm=SYMMETRIC, signing_key=secret, signing_kid=kid, verifying_keys={kid: secret}, **_claims(config)
    )
    return Keyring(backend=backend, public_keys=())


def _asymmetric_keyring(config):
    algorithm = config["ALGORITHM"]
    private_pem = config["PRIVATE_KEY"]
    if not private_pem:
        raise ImproperlyConfigured(f"JWT_ALGORITHM={algorithm} needs JWT_PRIVATE_KEY (a PEM private key).")
    try:
        private_key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(f"JWT_PRIVATE_KEY is not a usable PEM private key: {error}") from None
    current = _public_key(algorithm, private_key.public_key(), "JWT_PRIVATE_KEY")
    previous = [_public_key(algorithm, key, "JWT_PREVIOUS_PUBLIC_KEYS") for key in _load_public_keys(config)]
    public_keys = (current, *[key for key in previous if key.kid != current.kid])
    backend = KeyringTokenBackend(
        algorithm=algorithm,
        signing_key=private_key,
        signing_kid=current.kid,
        verifying_keys={key.kid: key.key for key in public_keys},
        **_claims(config),
    )
    return Keyring(backend=backend, public_keys=public_keys)


def _claims(config):
    return {"issuer": issuer(), "audience": config.get("AUDIENCE") or None}


def _load_public_keys(config):
    bundle = config["PREVIOUS_PUBLIC_KEYS"] or ""
    marker = "-----END PUBLIC KEY-----"
    blocks = [block.strip() + "\n" + marker for block in bundle.split(marker) if block.strip()]
    try:
        return [serialization.load_pem_public_key(block.encode()) for block in blocks]
    except ValueError as error:
        raise ImproperlyConfigured(f"JWT_PREVIOUS_PUBLIC_KEYS holds a key that is not PEM: {error}") from None


def _public_key(algorithm, key, source) -> PublicKey:
    try:
        jwk = json.loads(get_default_algorithms()[algorithm].to_jwk(key))
    except (ValueError, TypeError, KeyError, AttributeError, jwt.PyJWTError):
        jwk = {}
    if not jwk or (algorithm == "ES256" and jwk.get("crv") != "P-256"):
        raise ImproperlyConfigured(f"{source} does not hold a key for {algorithm}.")
    kid = _thumbprint(jwk)
    published = {**jwk, "kid": kid, "use": "sig"}
    if algorithm != "EdDSA":  # see the module docstring: no alg on the Ed25519 key
        published["alg"] = algorithm
    return PublicKey(kid=kid, key=key, jwk=published)


def _thumbprint(jwk) -> str:
    """RFC 7638 JWK thumbprint: SHA-256 of the required members, canonical JSON."""
    required = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x")}[jwk["kty"]]
    canonical = json.dumps({name: jwk[name] for name in required}, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
