"""The import graph of ``src/guildhall`` has no cycle (docs/decisions/architecture.md).

Edges are the imports at module level, those under ``if TYPE_CHECKING:`` included
(a cycle of annotations is a cycle of design all the same). Imports inside a
function are not counted: they run late, and the few left are for optional,
heavy dependencies (the S3 store's boto3; alembic and aiosmtplib, kept out of
``import guildhall.app``: docs/decisions/startup.md).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "guildhall"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(p): p
        for p in PACKAGE.rglob("*.py")
        if "migrations" not in p.relative_to(PACKAGE).parts
    }


def _top_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports that run when the module is imported (or type-checked): the module
    body, and the bodies of its top-level ``if``/``try`` blocks."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.If):
            pending += node.body + node.orelse
        elif isinstance(node, ast.Try):
            pending += node.body + node.orelse + node.finalbody
            for handler in node.handlers:
                pending += handler.body
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of ``guildhall`` it imports."""
    modules = _modules()

    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str | None] = set()
        for node in _top_level_imports(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets |= {owner(a.name) for a in node.names if a.name.startswith("guildhall")}
                continue
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            if not base.startswith("guildhall"):
                continue
            for alias in node.names:
                # ``from pkg import module`` imports the module; ``from module
                # import name`` the module that defines it.
                full = f"{base}.{alias.name}"
                targets.add(full if full in modules else owner(base))
        graph[name] = {t for t in targets if t is not None and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected component of more than one
    module (Tarjan), written as a path that returns to its start."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_a_cycle(graph, c) for c in components]


def _a_cycle(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    start = min(component)
    # Breadth-first from ``start`` inside the component, back to ``start``.
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for v in frontier:
            for w in sorted(graph[v] & component):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if w not in parents:
                    parents[w] = v
                    following.append(w)
        frontier = following
    raise AssertionError(f"no cycle found in {sorted(component)}")


def test_the_graph_sees_the_imports() -> None:
    """The walk finds real edges (else no cycle would be a vacuous pass)."""
    graph = import_graph()
    assert "guildhall.db" in graph["guildhall.runtime"]
    assert "guildhall.ports.bus" in graph["guildhall.runtime"]
    assert "guildhall.runtime" in graph["guildhall.messages.service"]
    assert "guildhall.auth.principal" in graph["guildhall.auth.deps"]


def test_cycles_are_found_and_named() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


# Modules of a domain package the low layers may use: the request's audit reason
# is a context variable that every unit of work reads.
_SHARED_FROM_DOMAINS = {"guildhall.audit.reason"}


@pytest.mark.parametrize("low", ["guildhall.db", "guildhall.runtime", "guildhall.ports"])
def test_low_layers_import_no_domain(low: str) -> None:
    """The engines, the unit of work and the ports sit under every domain package:
    they import none (services, routers, the transport)."""
    domains = {
        p.name
        for p in PACKAGE.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and p.name not in {"kit", "ports"}
    } - {"models"}
    graph = import_graph()
    upward = {
        (m, t)
        for m in graph
        if m == low or m.startswith(low + ".")
        for t in graph[m]
        if t.split(".")[1] in domains and t not in _SHARED_FROM_DOMAINS
    }
    assert not upward, f"{low} imports upward: {sorted(upward)}"


def test_no_import_cycles() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)
