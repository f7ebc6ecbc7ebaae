"""Scopes of personal access tokens: a route states the one it needs, a token carries the ones it was given.

A view declares ``token_scope = Scope("name", "description")`` (or a mapping
``{"GET": scope, ...}`` when its methods need different ones). The
authentication reads that declaration: a view that declares nothing never
accepts a personal token, so a route added tomorrow is closed until its author
opens it on purpose. The scopes a token may be given are exactly the ones the
installed routes declare (``declared_scopes``): nothing is listed twice, and a
scope no route needs cannot be asked for.
"""
import functools
import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.translation import gettext_lazy as _

# Lower-case words joined by ":" "." "_" "-", as in "profile:read".
_NAME = re.compile(r"[a-z][a-z0-9_.-]*(:[a-z][a-z0-9_.-]*)*")
MAX_NAME_LENGTH = 64


@dataclass(frozen=True)
class Scope:
    """A named permission a personal token may carry; ``description`` is what the owner reads when choosing it."""

    name: str
    description: str = field(compare=False)

    def __post_init__(self):
        if not _NAME.fullmatch(self.name) or len(self.name) > MAX_NAME_LENGTH:
            raise ValueError(f"Not a scope name: {self.name!r} (lower-case words joined by ':', as in 'profile:read').")
        if not self.description.strip():
            raise ValueError(f"Scope {self.name!r} needs a description: its owner chooses it by reading it.")

    def __str__(self):
        return self.name


# Gatehouse's own scopes: the routes that read data. Nothing that manages
# sessions, tokens, factors, email or password declares a scope.
PROFILE_READ = Scope("profile:read", _("Read your username, email address and name (GET /api/auth/me/)."))
USERS_READ = Scope(
    "users:read", _("List users and their number of sessions (GET /api/auth/users/; staff with the permission only)."),
)

# What the tokens made before scopes existed could do: the data migration gives them exactly these.
SCOPES_BEFORE_SCOPES = (PROFILE_READ.name, USERS_READ.name)


def required_scope(view, method: str):
    """The ``Scope`` a personal token needs for ``method`` on ``view``, or None when the view takes no token."""
    declared = getattr(view, "token_scope", None)
    if isinstance(declared, dict):
        declared = declared.get(method.upper())
    return declared if isinstance(declared, Scope) else None


def declared_scopes(urlconf=None) -> tuple:
    """Every scope the installed routes declare, by name (each once)."""
    return _declared_in(get_resolver(urlconf))


@functools.lru_cache(maxsize=8)
def _declared_in(resolver) -> tuple:
    # Keyed on the resolver, which Django itself caches per URLconf: the walk happens once per process.
    found = {}
    for view_class in _view_classes(resolver):
        declared = getattr(view_class, "token_scope", None)
        for scope in (declared.values() if isinstance(declared, dict) else [declared]):
            if not isinstance(scope, Scope):
                continue
            known = found.setdefault(scope.name, scope)
            if known.description != scope.description:
                raise ValueError(f"Scope {scope.name!r} is declared twice with different descriptions.")
    return tuple(sorted(found.values(), key=lambda scope: scope.name))


def _view_classes(resolver):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _view_classes(pattern)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
            if view_class is not None:
                yield view_class


def clean_scopes(names) -> list:
    """The scope names as stored (sorted, each once); ``ValueError`` naming the first unknown one."""
    known = {scope.name for scope in declared_scopes()}
    cleaned = []
    for name in names:
        if name not in known:
            raise ValueError(name)
        if name not in cleaned:
            cleaned.append(name)
    return sorted(cleaned)
