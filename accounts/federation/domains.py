"""Email domains a provider owns (enterprise single sign-on), and the ``sso_required`` rule.

A provider set with ``--domain example.com --require-for-domains`` owns the
addresses at those domains: an account whose address is at one of them
signs in through that provider only, so that the company's directory (and
its offboarding) decides who gets in. Its password, email code and passkey
still prove who the person is, but ``accounts.signin.gate.admit`` answers
403 ``sso_required`` after them, naming the provider to use; it does so only
once the credential was right, so the answer tells nobody without it whether
the account exists.

Domains match exactly, in their IDNA ASCII form and lower case (what
``accounts.identity.normalized_email`` stores, and what
``accounts.federation.providers.clean_domain`` makes of a configured
domain): ``example.com`` does not
cover ``eng.example.com``; list each domain a company mails from.

The map of owned domains is read on every password, code and passkey
sign-in, so it is kept in the shared cache (``OWNERS_TTL`` seconds at most;
``accounts.limits.counters``, which falls back to this process's memory
while the shared cache is down, so a Redis outage stops no sign-in) and
dropped whenever a provider is saved or deleted: a sign-in costs no query
for it while the map is warm.
"""
from django.db import transaction

from accounts.limits.counters import counters

OWNERS_KEY = "gatehouse:federation:owned-domains:v1"
OWNERS_TTL = 60


def domain_of(address: str) -> str:
    """The domain of a stored (normalised) address, lower case; "" for none."""
    _, at, domain = (address or "").rpartition("@")
    return domain.strip().lower() if at else ""


def required_provider(address: str) -> str | None:
    """The slug of the enabled provider that requires itself for ``address``'s domain; None when none does."""
    domain = domain_of(address)
    if not domain:
        return None
    return owners().get(domain)


def keeper_of(*, address: str, new_address: str) -> str | None:
    """The provider that keeps an account at ``address`` from taking ``new_address``; None when it may.

    An address at a domain a provider requires stays at that provider's
    domains: moved elsewhere, the account would leave its company's sign-in
    (and its offboarding) and its password would sign it in again.
    """
    owner = required_provider(address)
    if owner is None or required_provider(new_address) == owner:
        return None
    return owner


def provider_for_address(address: str) -> str | None:
    """The slug of the enabled provider that owns ``address``'s domain (required or not); the login page's choice."""
    from accounts.federation.models import Provider

    domain = domain_of(address)
    if not domain:
        return None
    for slug, domains in Provider.objects.filter(enabled=True).order_by("slug").values_list("slug", "domains"):
        if domain in (domains or []):
            return slug
    return None


def owners() -> dict[str, str]:
    """``{domain: provider slug}`` for every enabled provider with ``require_for_domains`` (cached)."""
    mapping = counters.get_many([OWNERS_KEY]).get(OWNERS_KEY)
    if mapping is None:
        mapping = _read_owners()
        counters.set(OWNERS_KEY, mapping, OWNERS_TTL)
    return mapping


def forget_owners() -> None:
    """Drop the cached map (a provider changed); once the change is committed, and now."""
    counters.delete_many([OWNERS_KEY])
    transaction.on_commit(lambda: counters.delete_many([OWNERS_KEY]))


def _read_owners() -> dict[str, str]:
    from accounts.federation.models import Provider

    mapping = {}
    rows = Provider.objects.filter(enabled=True, require_for_domains=True).order_by("slug")
    for slug, domains in rows.values_list("slug", "domains"):
        for domain in domains or []:
            mapping.setdefault(str(domain).lower(), slug)  # two claiming one domain: the first slug, always the same
    return mapping
