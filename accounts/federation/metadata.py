"""Providers' discovery documents and signing keys, fetched over HTTPS and kept for a bounded time.

A document lives ``FEDERATION_METADATA_TTL`` seconds in this process; the
keys (JWKS) as long, and are fetched again at once when an ID token names a
``kid`` they lack (a provider rotated its keys) — but at most once per
``JWKS_REFETCH_INTERVAL`` per key set, so a stream of forged tokens with
random ``kid``s cannot make us hammer the provider.
"""
import threading
import time

import requests

from accounts import conf
from accounts.federation import kinds

JWKS_REFETCH_INTERVAL = 30.0
TIMEOUT = 10

_lock = threading.Lock()
_documents: dict[str, tuple[float, dict]] = {}
_key_sets: dict[str, tuple[float, float, dict]] = {}  # uri -> (expires, fetched, jwks)


class Unavailable(Exception):
    """The provider's metadata or keys could not be had (network, bad document): the sign-in fails, politely."""


def http() -> requests.Session:
    """A session for talking to providers: no cookies kept, never a redirect to somewhere else."""
    session = requests.Session()
    session.max_redirects = 0
    return session


def document(provider) -> dict:
    """The provider's endpoints: its discovery document (cached), or the fixed ones of an OAuth 2.0 kind."""
    kind = kinds.of(provider)
    if not kind.openid:
        return kind.static_metadata()
    issuer = kind.issuer(provider)
    now = time.monotonic()
    with _lock:
        cached = _documents.get(issuer)
    if cached and cached[0] > now:
        return cached[1]
    doc = _fetch_json(f"{issuer}/.well-known/openid-configuration")
    if not isinstance(doc, dict) or not isinstance(doc.get("issuer"), str):
        raise Unavailable(f"{issuer}: the discovery document has no issuer")
    if not kind.discovered_issuer_ok(configured=issuer, discovered=doc["issuer"]):
        raise Unavailable(f"{issuer}: the discovery document names another issuer ({doc['issuer']})")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(doc.get(key), str):
            raise Unavailable(f"{issuer}: the discovery document has no {key}")
    with _lock:
        _documents[issuer] = (now + conf.federation_metadata_ttl(), doc)
    return doc


def key_set(doc: dict, *, refetch=False) -> dict:
    """The JWKS at ``doc["jwks_uri"]``; ``refetch``: an unknown ``kid`` was seen, get it again (rate-limited)."""
    uri = doc["jwks_uri"]
    now = time.monotonic()
    with _lock:
        cached = _key_sets.get(uri)
    if cached and cached[0] > now and not (refetch and now - cached[1] >= JWKS_REFETCH_INTERVAL):
        return cached[2]
    jwks = _fetch_json(uri)
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise Unavailable(f"{uri}: not a JWK set")
    with _lock:
        _key_sets[uri] = (now + conf.federation_metadata_ttl(), now, jwks)
    return jwks


def forget() -> None:
    """Drop every cached document and key set (tests; a provider changed in the admin)."""
    with _lock:
        _documents.clear()
        _key_sets.clear()


def _fetch_json(url):
    try:
        response = http().get(url, timeout=TIMEOUT, headers={"Accept": "application/json"})
    except requests.RequestException as error:
        raise Unavailable(f"{url}: {type(error).__name__}") from None
    if response.status_code != 200:
        raise Unavailable(f"{url}: HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise Unavailable(f"{url}: not JSON") from None
