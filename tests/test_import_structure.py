"""The import structure of ``accounts/``: no circle, and no arrow from a lower layer to a higher one.

Every ``import`` of an ``accounts.*`` module anywhere in a file counts, those
inside a function too: an import moved into a function to dodge a circle at
start-up is still a circle. The graph is read with ``ast``, nothing is run.

Layers, from the top: the HTTP layer ``accounts/api/``; the account
operations ``accounts/services.py``; the one way into an account
``accounts/signin/``; the core below (sessions, factors, passkeys, mail, …).
A module may import its own layer or a lower one, never a higher one.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "accounts"

# Django's app configuration loads everything for its side effects (the schema extension among them).
WIRING = {"accounts.apps"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
    }


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The ``accounts.*`` modules ``path`` (module ``name``) imports, each resolved to a module of ``known``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            # "from accounts.mfa import totp" imports the module accounts.mfa.totp.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target.startswith("accounts") and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(path, name, known) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _layer(module: str) -> int:
    """Higher numbers for higher layers; the core is 0."""
    if module == "accounts.api" or module.startswith("accounts.api."):
        return 3
    if module == "accounts.services":
        return 2
    if module == "accounts.signin" or module.startswith("accounts.signin."):
        return 1
    return 0


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_in_accounts():
    """Issue 19, item 17: the circles views↔passkeys, outbox↔sender and the seven files through services are gone."""
    graph = import_graph()
    assert "accounts.services" in graph and "accounts.mfa.methods" in graph  # the graph was really read
    assert cycles(graph) == []


def test_no_import_from_a_lower_layer_into_a_higher_one():
    """The core never imports the HTTP layer (as sessions/authentication.py did for the binding cookie),
    nor the account operations (as passkeys/flows.py did for SessionEnded), nor the sign-in path."""
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in import_graph().items()
        if module not in WIRING
        for target in targets
        if _layer(target) > _layer(module)
    )
    assert upward == []


def test_the_admin_does_not_import_the_http_layer():
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in import_graph().items()
        if module.startswith("accounts.admin")
        for target in targets
        if _layer(target) == 3
    )
    assert upward == []
