"""An ID token checked in full before anything in it is believed.

The signature with the provider's published keys (``metadata.key_set``,
fetched again once when the token names a key we do not have), with an
asymmetric algorithm the provider's metadata lists: ``none`` and the HMAC
algorithms are refused outright, so neither an unsigned token nor one
"signed" with our client secret (which the provider knows too, and an
attacker may have guessed or stolen) is ever accepted. Then, with authlib's
OpenID claims rules: ``iss`` (the kind decides which values: Entra ID's vary
by tenant), ``aud`` holds our client id (and ``azp`` is ours when present),
``exp`` and ``iat``, the ``nonce`` this browser's sign-in sent, and
``at_hash`` against the access token it came with.
"""
import logging

from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from accounts.federation import metadata
from accounts.federation.kinds.base import Refused
from accounts.text import has_unstorable

logger = logging.getLogger(__name__)

ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
LEEWAY = 60  # seconds of clock difference tolerated between us and the provider


def verify(*, id_token: str, doc: dict, kind, client_id: str, nonce: str, access_token: str | None) -> dict:
    """The claims of ``id_token``; ``Refused`` for any fault (the reason goes to the log only)."""
    if not isinstance(id_token, str) or id_token.count(".") != 2:
        raise Refused("id_token: not a compact JWS")
    listed = doc.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [alg for alg in listed if alg in ASYMMETRIC]
    if not algorithms:
        raise Refused("id_token: the provider lists no asymmetric signing algorithm")
    registry = JWSRegistry(algorithms=algorithms, strict_check_header=True)
    token = _decode(id_token, doc, registry)
    claims, header = dict(token.claims), dict(token.header)
    expected = kind.expected_issuers(metadata=doc, claims=claims)
    if not expected:
        raise Refused("id_token: no issuer can be expected for it")
    options = {
        "iss": {"essential": True, "values": expected},
        "aud": {"essential": True, "value": client_id},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
    }
    params = {"nonce": nonce, "client_id": client_id}
    if access_token:
        params["access_token"] = access_token
    try:
        CodeIDToken(claims, header, options, params).validate(leeway=LEEWAY)
    except JoseError as error:
        raise Refused(f"id_token: {error.error}: {error.description or ''}") from None
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub or len(sub) > 255 or has_unstorable(sub):
        raise Refused("id_token: sub is not a usable string")
    return claims


def require_sign_in_since(claims: dict, started) -> None:
    """``Refused`` unless the person signed in at the provider (``auth_time``) after ``started`` (a datetime).

    For "Confirm it's you": ``prompt=login`` is a request the provider may
    not honour (or an old session it reuses), so what counts is when it says
    the sign-in happened; a token without ``auth_time`` proves no presence.
    """
    auth_time = claims.get("auth_time")
    if not isinstance(auth_time, (int, float)) or isinstance(auth_time, bool):
        raise Refused("id_token: no auth_time for a re-authentication")
    if auth_time < started.timestamp() - LEEWAY:
        raise Refused("id_token: the provider reused a sign-in older than the re-authentication")


def _decode(id_token, doc, registry):
    try:
        return jwt.decode(id_token, KeySet.import_key_set(metadata.key_set(doc)), registry=registry)
    except JoseError as error:
        if getattr(error, "error", "") != "invalid_key_id":
            raise Refused(f"id_token: {error.error}: {error.description or ''}") from None
    except ValueError as error:
        raise Refused(f"id_token: {error}") from None
    # A key we do not know: the provider may have rotated; ask once more (rate-limited), then give up.
    try:
        return jwt.decode(id_token, KeySet.import_key_set(metadata.key_set(doc, refetch=True)), registry=registry)
    except (JoseError, ValueError) as error:
        raise Refused(f"id_token: {getattr(error, 'error', error)}") from None
