"""The test suite's own layout (docs/development.md, "Tests"): shared helpers live in
tests/helpers/, a `test_*.py` module holds tests, and no test module imports from another one
or from a conftest."""

from __future__ import annotations

import ast

from tests.helpers.paths import TESTS

MODULES = sorted(TESTS.rglob("test_*.py"))


def _imported_modules(tree: ast.Module) -> set[str]:
    """Every module an import statement names (`from tests import test_x` names tests.test_x)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _is_test_module_or_conftest(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "tests" and any(p.startswith("test_") or p == "conftest" for p in parts[1:])


def test_no_module_imports_from_a_test_module_or_a_conftest() -> None:
    offenders = {str(path.relative_to(TESTS)): sorted(m for m in _imported_modules(ast.parse(path.read_text(encoding="utf-8")))
                                                      if _is_test_module_or_conftest(m))
                 for path in sorted(TESTS.rglob("*.py"))}
    assert {k: v for k, v in offenders.items() if v} == {}, "move the helper into tests/helpers/"


def test_every_test_module_holds_tests() -> None:
    empty = [str(path.relative_to(TESTS)) for path in MODULES
             if not any(isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")
                        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))))]
    assert MODULES
    assert empty == [], "a module without tests belongs in tests/helpers/ under a name without test_"
