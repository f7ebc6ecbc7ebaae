"""Refresh-token crypto: derive, format and check opaque refresh tokens.

A token reads ``<session id>.<generation>.<mac>`` where ``mac`` is
HMAC-SHA256 over the session id, the generation and the session's random
seed, keyed with a key derived from ``SECRET_KEY``. The 256-bit MAC is the
token's secret part; the id and generation only say which MAC to recompute.

Exactly the form issued is accepted: the id as 32 lower-case hex digits, the
generation in canonical decimal, the MAC as 43 characters of unpadded urlsafe
base64. ``uuid.UUID`` and ``int`` would also read ``{ID}``, ``urn:uuid:…``,
``01`` or ``+1``; a second spelling of a token is no token of ours.

Beside them, the session's other keyed values: the access-token binding, and
the digest of the client that last rotated (which the grace window answers).
"""
import base64
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.limits.net import client_key

_KEY_SALT = "gatehouse.refresh-token.v1"
_BINDING_SALT = "gatehouse.access-binding.v1"
_CLIENT_SALT = "gatehouse.rotating-client.v1"
_MAX_LENGTH = 128
_MAX_GENERATION_DIGITS = 10
# base64.urlsafe_b64encode of a SHA-256 digest, padding stripped.
_MAC_FORM = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class ParsedRefreshToken:
    session_id: uuid.UUID
    generation: int
    mac: str


def new_seed() -> str:
    return secrets.token_hex(32)


def _mac(session_id: uuid.UUID, generation: int, seed: str) -> str:
    digest = salted_hmac(
        _KEY_SALT, f"{session_id.hex}:{generation}:{seed}", secret=settings.SECRET_KEY, algorithm="sha256"
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _public_part(session_id: uuid.UUID, generation: int) -> str:
    return f"{session_id.hex}.{generation}"


def refresh_token_for(*, session_id: uuid.UUID, generation: int, seed: str) -> str:
    return f"{_public_part(session_id, generation)}.{_mac(session_id, generation, seed)}"


def parse(raw: str | None) -> ParsedRefreshToken | None:
    """Split a presented token, or return None when it is not in the form we issue."""
    if not raw or len(raw) > _MAX_LENGTH:
        return None
    parts = raw.split(".")
    if len(parts) != 3:
        return None
    session_hex, generation, mac = parts
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if not (generation.isascii() and generation.isdigit()) or len(generation) > _MAX_GENERATION_DIGITS:
        return None
    if not _MAC_FORM.fullmatch(mac):
        return None
    try:
        session_id = uuid.UUID(hex=session_hex)
    except ValueError:
        return None
    parsed = ParsedRefreshToken(session_id=session_id, generation=int(generation), mac=mac)
    # Formatted again, the id and generation must read exactly as presented:
    # this refuses upper case, braces, hyphens, "urn:uuid:" and leading zeros.
    if _public_part(parsed.session_id, parsed.generation) != f"{session_hex}.{generation}":
        return None
    return parsed


def binding_secret_for(*, session_id: uuid.UUID, seed: str) -> str:
    """The session's access-token binding value (its HttpOnly cookie)."""
    digest = salted_hmac(_BINDING_SALT, f"{session_id.hex}:{seed}", secret=settings.SECRET_KEY, algorithm="sha256")
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")


def binding_claim_for(secret: str) -> str:
    """What an access token carries: the hash of the binding value, never the value."""
    return base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()).rstrip(b"=").decode("ascii")


def binding_matches(claim, secret) -> bool:
    if not isinstance(claim, str) or not secret:
        return False
    return hmac.compare_digest(binding_claim_for(secret).encode(), claim.encode())


def client_digest(client) -> str:
    """Who a request came from, kept on the session row: a keyed digest of its
    network (IPv4 address or IPv6 /64, as rate limits count) and user agent.

    Keyed, so the row does not hold the user agent and address a second time
    in a form that can be matched against guesses; the network comes first and
    never holds a newline, so no two clients share an input.
    """
    identity = f"{client_key(client.ip_address)}\n{client.user_agent}"
    return salted_hmac(_CLIENT_SALT, identity, secret=settings.SECRET_KEY, algorithm="sha256").hexdigest()


def is_same_client(digest: str, client) -> bool:
    """Constant-time check that ``client`` is the one ``digest`` was taken from."""
    return bool(digest) and constant_time_compare(digest, client_digest(client))


def is_authentic(token: ParsedRefreshToken, seed: str) -> bool:
    """Constant-time check that the token was minted by us for this seed."""
    expected = _mac(token.session_id, token.generation, seed)
    return hmac.compare_digest(expected.encode(), token.mac.encode())
