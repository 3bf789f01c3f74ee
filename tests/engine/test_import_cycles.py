"""The modules of engine/ import each other without cycles.

Imports are read with ``ast``: at module level and inside functions alike (a function-level
import only hides a cycle until the function runs); ``if TYPE_CHECKING:`` imports do not count.
Importing ``a.b.c`` also runs the package ``a.b`` first, so that is an import of ``a.b`` too
(unless the importer lives inside ``a.b`` itself).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[2]


def _modules() -> dict[str, Path]:
    found = {}
    for path in (ROOT / "engine").rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                hidden.update(id(n) for n in ast.walk(child))
    return hidden


def _imported_names(name: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hidden = _type_checking_nodes(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    """Module → the engine modules (and packages) importing it runs."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        parts = name.split(".")
        own = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
        edges: set[str] = set()
        for imported in _imported_names(name, path):
            while imported and imported not in modules:  # `from m import function`
                imported = imported.rpartition(".")[0]
            chain = imported.split(".") if imported else []
            for i in range(1, len(chain) + 1):
                ancestor = ".".join(chain[:i])
                if ancestor in modules and ancestor not in own:
                    edges.add(ancestor)
        graph[name] = edges
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected group of modules (Tarjan), as a readable path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

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
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_path_within(graph, group) for group in groups]


def _path_within(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest way round from the group's first module back to itself."""
    start = min(group)
    paths = {start: [start]}
    todo = [start]
    while todo:
        v = todo.pop(0)
        for w in sorted(graph[v] & group):
            if w == start:
                return paths[v] + [start]
            if w not in paths:
                paths[w] = paths[v] + [w]
                todo.append(w)
    return sorted(group)


def test_engine_has_no_import_cycles():
    cycles = find_cycles(import_graph())
    assert not cycles, "import cycles: " + "; ".join(" → ".join(c) for c in cycles)


def test_the_finder_sees_a_cycle_through_a_package():
    graph = {
        "engine.reminders": {"engine.reminders.planner"},
        "engine.reminders.planner": {"engine.maintenance.deadlines"},
        "engine.maintenance.deadlines": {"engine.reminders"},
        "engine.db": set(),
    }
    assert find_cycles(graph) == [
        ["engine.maintenance.deadlines", "engine.reminders", "engine.reminders.planner",
         "engine.maintenance.deadlines"]
    ]  # fmt: skip


def test_the_graph_counts_function_level_imports_and_package_inits():
    graph = import_graph()
    # engine.sweeper imports engine.maintenance.sweep inside a function
    assert "engine.maintenance.sweep" in graph["engine.sweeper"]
    # importing engine.reminders.steps runs engine/reminders/__init__.py first
    assert {"engine.reminders", "engine.reminders.steps"} <= graph["engine.sweeper"]
