"""The sign-in in flight: made at the start, taken (once) at the callback, found through the browser's cookie.

The cookie holds 32 random bytes; the row is stored under their SHA-256, so
a database reader cannot finish someone's sign-in. Being HttpOnly and
``SameSite=Lax`` (the provider's redirect back is a cross-site top-level
GET, which Lax lets through, and nothing else cross-site), it binds the
sign-in to the browser that started it: a callback URL carried to another
browser (login CSRF, a leaked code) finds nothing there. The ``state``
parameter must match the row as well, and ``FEDERATION_STATE_TTL`` bounds
it all.
"""
import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from accounts import conf
from accounts.federation.models import FederationState
from accounts.federation.outcomes import FAILED, Failed
from accounts.precompiled import DeleteByKey, RowWithParent

COOKIE = "gatehouse_federation"
COOKIE_PATH = "/api/auth/federation/"


def begin(*, provider, intent, redirect_uri, next_path, user=None, session_id=None) -> tuple[str, FederationState]:
    """A new sign-in in flight: the cookie's value and the row (with ``state``, ``nonce`` and the PKCE verifier)."""
    now = timezone.now()
    cookie = secrets.token_urlsafe(32)
    row = FederationState(
        key_digest=_digest(cookie), provider=provider, intent=intent, user=user, session_id=session_id,
        state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32), redirect_uri=redirect_uri,
        next_path=next_path, created_at=now, expires_at=now + conf.federation_state_ttl(),
    )
    verifier = secrets.token_urlsafe(64)  # 86 characters of [A-Za-z0-9_-]: RFC 7636's 43 to 128
    row.seal_verifier(verifier)
    with transaction.atomic():
        FederationState.objects.filter(expires_at__lt=now).delete()  # the expired ones of everyone: few, indexed
        row.save()
    row.plain_verifier = verifier
    return cookie, row


def take(*, cookie, slug, state) -> FederationState:
    """The sign-in this browser started at the provider ``slug`` with ``state``, used up now; ``Failed`` otherwise.

    Deleted before anything is checked, so a refused callback spends it too
    (a second try with the same state finds nothing). The row comes with its
    provider, read fresh (a provider disabled since the start is seen), in
    one precompiled statement (``accounts.precompiled``: the callback's
    5 ms target). Deleting it is what makes it single-use: of two callbacks
    racing with one cookie, only one deletes the row.
    """
    if not cookie or not isinstance(cookie, str) or len(cookie) > 100:
        raise Failed(FAILED, "no state cookie")
    row = _IN_FLIGHT.get(_digest(cookie))
    if row is None or _USE_UP.run(row.pk) != 1:
        raise Failed(FAILED, "unknown or used state")
    if row.expires_at <= timezone.now():
        raise Failed(FAILED, "expired state")
    if row.provider.slug != slug:
        raise Failed(FAILED, "state of another provider")
    if not isinstance(state, str) or not hmac.compare_digest(state.encode(), row.state.encode()):
        raise Failed(FAILED, "state parameter does not match")
    return row


_IN_FLIGHT = RowWithParent(FederationState, "provider", by=("key_digest",))
_USE_UP = DeleteByKey(FederationState, by="id")


def _digest(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()
