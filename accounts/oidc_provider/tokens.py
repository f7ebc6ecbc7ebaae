"""What a client holds: authorization codes, access and refresh tokens, ID and logout tokens.

None of the first three is stored. A code is random and kept as its SHA-256
digest. Access and refresh tokens are derived, as the browser's refresh
tokens are (``accounts.sessions.tokens``), by an HMAC keyed from
``SECRET_KEY`` over the grant session's id, a counter and the session's
random seed, under salts of their own: a copy of the database yields none of
them, the grace window can answer the current refresh token again, and a
client's token is never a browser token (the browser's refresh endpoint
refuses it, and no client token opens the API).

    refresh: ``gho_<session hex>.<generation>.<mac>``
    access:  ``gha_<session hex>.<expiry>.<mac>``

ID tokens and logout tokens are JWTs signed with the current JWKS key
(``accounts.sessions.jwt_keys``): the provider needs an asymmetric
``JWT_ALGORITHM``, since a client verifies them with the public key.
"""
import base64
import hashlib
import hmac
import re
import secrets
import time
import uuid
from dataclasses import dataclass

import jwt
from django.conf import settings
from django.utils.crypto import salted_hmac

from accounts.sessions import jwt_keys

_REFRESH_SALT = "gatehouse.oidc.refresh-token.v1"
_ACCESS_SALT = "gatehouse.oidc.access-token.v1"
_CLIENT_SALT = "gatehouse.oidc.rotating-client.v1"
REFRESH_PREFIX, ACCESS_PREFIX = "gho_", "gha_"
_FORM = re.compile(r"(gh[oa])_([0-9a-f]{32})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})")
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"


class ProviderUnavailable(Exception):
    """The provider needs an asymmetric JWT_ALGORITHM (RS256, ES256, EdDSA) to sign ID tokens."""


def new_code() -> str:
    return secrets.token_urlsafe(32)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")
CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")


def pkce_matches(verifier, challenge: str) -> bool:
    """RFC 7636 S256: the verifier's form, then its hash against the challenge (constant time)."""
    if not isinstance(verifier, str) or not _VERIFIER.fullmatch(verifier):
        return False
    return hmac.compare_digest(s256(verifier).encode(), challenge.encode())


def _mac(salt, *parts) -> str:
    value = salted_hmac(salt, ":".join(str(part) for part in parts), secret=settings.SECRET_KEY, algorithm="sha256")
    return base64.urlsafe_b64encode(value.digest()).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class ParsedToken:
    kind: str  # "refresh" or "access"
    session_id: uuid.UUID
    number: int  # a refresh token's generation; an access token's expiry (Unix time)
    mac: str


def parse(raw) -> ParsedToken | None:
    if not isinstance(raw, str) or len(raw) > 128:
        return None
    match = _FORM.fullmatch(raw)
    if match is None:
        return None
    prefix, session_hex, number, mac = match.groups()
    if number != str(int(number)):  # one spelling only: no leading zeros
        return None
    kind = "refresh" if prefix == "gho" else "access"
    return ParsedToken(kind=kind, session_id=uuid.UUID(hex=session_hex), number=int(number), mac=mac)


def refresh_token_for(*, session_id, generation, seed) -> str:
    return f"{REFRESH_PREFIX}{session_id.hex}.{generation}.{_mac(_REFRESH_SALT, session_id.hex, generation, seed)}"


def access_token_for(*, session_id, expires_at: int, seed) -> str:
    return f"{ACCESS_PREFIX}{session_id.hex}.{expires_at}.{_mac(_ACCESS_SALT, session_id.hex, expires_at, seed)}"


def is_authentic(token: ParsedToken, seed: str) -> bool:
    salt = _REFRESH_SALT if token.kind == "refresh" else _ACCESS_SALT
    expected = _mac(salt, token.session_id.hex, token.number, seed)
    return hmac.compare_digest(expected.encode(), token.mac.encode())


def client_digest(client_id: str) -> str:
    """What a grant session's ``rotated_by_client`` holds: the grace window answers only this client."""
    return salted_hmac(_CLIENT_SALT, client_id, secret=settings.SECRET_KEY, algorithm="sha256").hexdigest()


def _signing():
    ring = jwt_keys.keyring()
    if not available():
        raise ProviderUnavailable
    backend = ring.backend
    return backend.prepared_signing_key, backend.algorithm, backend.signing_kid


def available() -> bool:
    """Signing needs a public key to publish and an issuer to name (``JWT_ISSUER`` or ``SITE_URL``)."""
    return bool(jwt_keys.keyring().public_keys) and bool(issuer())


def issuer() -> str:
    return jwt_keys.issuer()


def signing_algorithm() -> str:
    return jwt_keys.keyring().backend.algorithm


def sign(claims: dict, *, typ=None) -> str:
    key, algorithm, kid = _signing()
    headers = {"kid": kid}
    if typ:
        headers["typ"] = typ
    return jwt.encode(claims, key, algorithm=algorithm, headers=headers)


def id_token(*, user, client_id, session_id, auth_time: int, amr, nonce="", acr=None, access_token=None,
             lifetime=300) -> str:
    now = int(time.time())
    claims = {
        "iss": issuer(), "sub": str(user.pk), "aud": client_id, "iat": now, "exp": now + lifetime,
        "auth_time": auth_time, "sid": str(session_id), "amr": list(amr), "azp": client_id,
    }
    if nonce:
        claims["nonce"] = nonce
    if acr:
        claims["acr"] = acr
    if access_token:  # OIDC Core §3.1.3.6: the left half of the access token's SHA-256
        half = hashlib.sha256(access_token.encode()).digest()[:16]
        claims["at_hash"] = base64.urlsafe_b64encode(half).rstrip(b"=").decode()
    return sign(claims)


def logout_token(*, client_id, subject, sid, jti) -> str:
    now = int(time.time())
    claims = {
        "iss": issuer(), "aud": client_id, "iat": now, "exp": now + 120, "jti": jti,
        "sub": subject, "sid": sid, "events": {BACKCHANNEL_EVENT: {}},
    }
    return sign(claims, typ="logout+jwt")


def read_id_token_hint(raw) -> dict | None:
    """The claims of an ID token we issued (expired ones too, as RP-initiated logout allows); None otherwise."""
    if not isinstance(raw, str) or len(raw) > 4096:
        return None
    ring = jwt_keys.keyring()
    backend = ring.backend
    try:
        key = backend.get_verifying_key(raw)
        return jwt.decode(
            raw, key, algorithms=[backend.algorithm], issuer=issuer(),
            options={"verify_aud": False, "verify_exp": False, "require": ["sub", "aud", "sid"]},
        )
    except jwt.PyJWTError:
        return None
