"""What differs between providers, one module per kind: where its endpoints are, which scopes, how to read the user.

Every kind answers the same questions (``base.Kind``); the flow
(``accounts.federation.flows``) asks them and never looks at the kind's name.
"""
from accounts.federation.kinds import github, gitlab, google, microsoft, oidc
from accounts.federation.kinds.base import Kind, Person  # noqa: F401  (the interface, importable from here)

KINDS = {kind.name: kind for kind in (oidc.KIND, google.KIND, microsoft.KIND, gitlab.KIND, github.KIND)}


def of(provider) -> Kind:
    """The kind of ``provider`` (a ``Provider`` row)."""
    return KINDS[provider.kind]
