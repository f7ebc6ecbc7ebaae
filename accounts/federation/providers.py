"""Configuring providers, as ``manage.py provider`` and the admin do: checked, idempotent, the secret sealed."""
import re

import idna
from django.db import transaction

from accounts.federation import kinds, metadata
from accounts.federation.models import Provider

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def clean_domain(value: str) -> str:
    """``value`` as a lower-case IDNA (ASCII) domain, as addresses are stored; ValueError for a bad one."""
    value = (value or "").strip().lstrip("@").rstrip(".")
    try:
        ascii_form = idna.encode(value, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError):
        raise ValueError(f"{value!r} is not a domain name.") from None
    if "." not in ascii_form:
        raise ValueError(f"{value!r} is not a domain name (it has no dot).")
    return ascii_form


def check(*, slug, kind, client_id, issuer, domains, require_for_domains) -> None:
    """ValueError (one clear message) for a configuration that cannot work."""
    if not _SLUG.match(slug or ""):
        raise ValueError("The slug is 1 to 40 lower-case letters, digits and hyphens (it is in the callback URL).")
    if kind not in kinds.KINDS:
        raise ValueError(f"Unknown kind {kind!r}. Kinds: {', '.join(kinds.KINDS)}.")
    if not client_id:
        raise ValueError("A provider needs the client id it gave you.")
    kinds.KINDS[kind].check_configuration(issuer=issuer or "")
    if require_for_domains and not domains:
        raise ValueError("--require-for-domains needs at least one --domain.")


def set_provider(
    *, slug, kind, client_id, client_secret=None, issuer="", name="", scopes="", trusted_email=False,
    allow_signup=True, domains=(), require_for_domains=False, enabled=True,
) -> tuple[Provider, bool]:
    """Create or change provider ``slug`` to exactly this; ``client_secret`` None keeps the stored one."""
    domains = sorted({clean_domain(domain) for domain in domains})
    issuer = (issuer or "").strip().rstrip("/")
    check(slug=slug, kind=kind, client_id=client_id, issuer=issuer, domains=domains,
          require_for_domains=require_for_domains)
    with transaction.atomic():
        provider = Provider.objects.select_for_update().filter(slug=slug).first()
        created = provider is None
        if created:
            if not client_secret:
                raise ValueError("A new provider needs its client secret (--client-secret-env VAR).")
            provider = Provider(slug=slug)
        provider.kind, provider.client_id, provider.issuer = kind, client_id, issuer
        provider.name = (name or "").strip() or _default_name(kind, slug)
        provider.scopes = " ".join((scopes or "").split())
        provider.trusted_email, provider.allow_signup = bool(trusted_email), bool(allow_signup)
        provider.domains, provider.require_for_domains = domains, bool(require_for_domains)
        provider.enabled = bool(enabled)
        if client_secret:
            provider.set_client_secret(client_secret)
        provider.save()
    metadata.forget()
    return provider, created


def _default_name(kind, slug) -> str:
    return kinds.KINDS[kind].label if kind != "oidc" else slug.replace("-", " ").title()


def remove_provider(*, slug) -> bool:
    """Remove provider ``slug`` with its identities (their accounts stay); whether there was one."""
    deleted, _ = Provider.objects.filter(slug=slug).delete()
    metadata.forget()
    return bool(deleted)
