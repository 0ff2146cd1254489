"""The layers hold (issue 23): no import cycle between assetkit's modules, imports inside
functions and under TYPE_CHECKING included, and nothing below `export/` imports upwards.

Read from the source with `ast`, not by importing: a lazy import inside a function is a
dependency all the same, and it is where cycles hide.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers.paths import REPO

LOWER = ("store", "importers", "analysis")
UPPER = ("export", "commands", "pipeline", "cli", "settings")


def _modules() -> dict[str, Path]:
    found = {}
    for path in (REPO / "assetkit").rglob("*.py"):
        parts = path.relative_to(REPO).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The assetkit modules `name` imports anywhere in its file (`from pkg import module`
    counts as the module; `from module import name` as the module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets.update(f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names)
    return {_owner(t, modules) for t in targets if t.startswith("assetkit")} - {name, None}


def _owner(target: str, modules: dict[str, Path]) -> str | None:
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def _layer(module: str) -> str:
    return module.split(".")[1] if "." in module else ""


def test_the_graph_sees_lazy_imports() -> None:
    graph = _graph()
    assert "assetkit.importers.selection" in graph["assetkit.importers.engine"]  # at module level
    assert "assetkit.analysis.followups.model" in graph["assetkit.analysis.followups.candidates"]  # in a function


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_between_assetkit_modules() -> None:
    assert _cycles(_graph()) == []


def test_nothing_below_export_imports_upwards() -> None:
    upward = sorted((m, t) for m, targets in _graph().items() if _layer(m) in LOWER
                    for t in targets if _layer(t) in UPPER)
    assert upward == []
