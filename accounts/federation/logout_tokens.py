"""Checking an OpenID Connect Back-Channel Logout token (OIDC Back-Channel Logout 1.0, section 2.6).

A provider that ends one of its sessions posts a *logout token* to our
back-channel logout route: a JWT signed like an ID token, naming the provider
session (``sid``) and/or the user (``sub``) whose sessions here must end. It
is checked as an ID token is (the provider's key, ``iss``, ``aud``, ``iat``,
``exp``) and then for what makes it a logout token and not an ID token
replayed at the wrong door: the ``events`` member with the back-channel
logout event, ``sid`` and/or ``sub``, a ``jti``, and no ``nonce`` (an ID
token always has one in our flow, so a stolen ID token can never log anybody
out).

Pure functions: the caller brings the provider's JWKS, its issuer and our
client id; remembering ``jti`` values against replay is the caller's
(``accounts.federation.backchannel``), because it needs the database.
"""
import dataclasses
import datetime
import json
import time

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from accounts.text import has_unstorable

EVENT = "http://schemas.openid.net/event/backchannel-logout"

# Signatures a provider makes with its private key. ``none`` and the HMACs
# (keyed by the client secret, which we hold too, so proving nothing about the
# provider) are never accepted for a logout token.
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"}
)

# Seconds of clock difference tolerated between the provider and us.
LEEWAY = 60
# A logout token is sent the moment the provider session ends: one issued
# longer ago than this is refused, so a ``jti`` needs remembering only this long.
MAX_AGE = 600

# Far more than any real logout token; refused before any parsing.
MAX_LENGTH = 16 * 1024


class LogoutTokenInvalid(Exception):
    """The token is not a valid logout token for this provider; ``reason`` says why (for the log, not the caller)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class UnknownKey(LogoutTokenInvalid):
    """Signed with a key the JWKS we hold does not have: worth refetching the provider's JWKS once."""

    def __init__(self, kid):
        super().__init__("unknown_kid")
        self.kid = kid


@dataclasses.dataclass(frozen=True)
class LogoutClaims:
    """What a valid logout token asks: end the sessions of ``sid`` and/or ``subject`` at ``issuer``."""

    issuer: str
    subject: str
    sid: str
    jti: str
    # Until when this ``jti`` must be remembered: after it, the token is refused by its age anyway.
    remember_until: datetime.datetime


def key_id(token: str) -> str:
    """The ``kid`` of the token's header ("" without one); raises ``LogoutTokenInvalid`` if it is no JWS."""
    return _header(token).get("kid", "") or ""


def validate(token, *, jwks: dict, issuer, audience: str, algorithms=None, now: float | None = None) -> LogoutClaims:
    """Check ``token`` as a logout token from ``issuer`` for the client ``audience``; answers its claims.

    ``issuer``: the provider's issuer, or a function of the (signed) claims
    answering the issuers it may have used (Entra ID's names the tenant:
    ``accounts.federation.kinds``' ``expected_issuers``).
    ``jwks``: the provider's JSON Web Key Set (a dict, as served).
    ``algorithms``: the provider's ``id_token_signing_alg_values_supported``
    when its metadata lists them (only the asymmetric ones count); every
    asymmetric algorithm otherwise. Raises ``UnknownKey`` when no key of
    ``jwks`` matches the token's ``kid``, ``LogoutTokenInvalid`` for anything else.
    """
    if not isinstance(token, str) or not token or len(token) > MAX_LENGTH:
        raise LogoutTokenInvalid("malformed")
    header = _header(token)
    allowed = ASYMMETRIC_ALGORITHMS if algorithms is None else ASYMMETRIC_ALGORITHMS.intersection(algorithms)
    algorithm = header.get("alg")
    if algorithm not in allowed:
        raise LogoutTokenInvalid("algorithm_not_allowed")
    key = _key_for(header, jwks)
    try:
        decoded = jwt.decode(token, key, algorithms=[algorithm])
    except JoseError as error:
        raise LogoutTokenInvalid(f"signature: {error.error}") from None
    except ValueError:
        raise LogoutTokenInvalid("signature") from None
    return _check_claims(decoded.claims, issuer=issuer, audience=audience, now=time.time() if now is None else now)


def _header(token) -> dict:
    try:
        compact = jws.extract_compact(token.encode("ascii"))
    except (JoseError, ValueError, UnicodeError):
        raise LogoutTokenInvalid("malformed") from None
    header = compact.protected
    if not isinstance(header, dict):
        raise LogoutTokenInvalid("malformed")
    return header


def _key_for(header, jwks):
    """The key of ``jwks`` the header names by ``kid`` (or its only signing key when there is no ``kid``)."""
    try:
        keys = KeySet.import_key_set(jwks if isinstance(jwks, dict) else json.loads(jwks))
    except (JoseError, ValueError, TypeError, KeyError):
        raise LogoutTokenInvalid("provider_jwks_unusable") from None
    signing = [key for key in keys.keys if key.get("use") in (None, "sig")]
    kid = header.get("kid")
    if kid:
        matching = [key for key in signing if key.kid == kid]
        if not matching:
            raise UnknownKey(kid)
        return matching[0]
    if len(signing) != 1:
        raise UnknownKey("")
    return signing[0]


def _check_claims(claims, *, issuer, audience, now) -> LogoutClaims:
    allowed_issuers = [issuer] if isinstance(issuer, str) else issuer(claims)
    if not isinstance(claims.get("iss"), str) or claims["iss"] not in allowed_issuers:
        raise LogoutTokenInvalid("wrong_issuer")
    audiences = claims.get("aud")
    audiences = [audiences] if isinstance(audiences, str) else audiences
    if not isinstance(audiences, list) or audience not in audiences:
        raise LogoutTokenInvalid("wrong_audience")
    if len(audiences) > 1 and claims.get("azp") not in (None, audience):
        raise LogoutTokenInvalid("wrong_audience")
    issued_at, expires_at = claims.get("iat"), claims.get("exp")
    if not _is_time(issued_at) or not _is_time(expires_at):
        raise LogoutTokenInvalid("missing_times")
    if issued_at > now + LEEWAY:
        raise LogoutTokenInvalid("issued_in_the_future")
    if now > issued_at + MAX_AGE + LEEWAY:
        raise LogoutTokenInvalid("too_old")
    if now > expires_at + LEEWAY:
        raise LogoutTokenInvalid("expired")
    events = claims.get("events")
    if not isinstance(events, dict) or not isinstance(events.get(EVENT), dict):
        raise LogoutTokenInvalid("not_a_logout_event")
    if "nonce" in claims:
        raise LogoutTokenInvalid("nonce_present")
    subject, sid = claims.get("sub", ""), claims.get("sid", "")
    if not isinstance(subject, str) or not isinstance(sid, str) or not (subject or sid):
        raise LogoutTokenInvalid("no_sub_or_sid")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > 255:
        raise LogoutTokenInvalid("no_jti")
    if any(has_unstorable(value) for value in (subject, sid, jti)):
        raise LogoutTokenInvalid("unusable_claim")  # a NUL would reach PostgreSQL (a 500, not a 400)
    remember_until = min(expires_at, issued_at + MAX_AGE) + LEEWAY
    return LogoutClaims(
        issuer=claims["iss"], subject=subject, sid=sid, jti=jti,
        remember_until=datetime.datetime.fromtimestamp(remember_until, tz=datetime.UTC),
    )


def _is_time(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
