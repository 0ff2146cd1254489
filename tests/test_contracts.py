"""Contracts of the code itself that a review would otherwise have to re-check by hand.

Issue 23: `config: Any` parameters, each with its own `getattr(config, ..., default)`, let the
analyses drift apart (the scenario said EUR where `assetkit fees` said USD). Every settings
parameter is a typed `Config | None`, and a missing one means `Config()`'s defaults.
"""

from __future__ import annotations

import ast
from pathlib import Path

import assetkit

PACKAGE = Path(assetkit.__file__).parent
CONFIG_NAMES = {"config", "cfg"}


def _functions(tree: ast.AST):
    return (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE.parent), ast.parse(path.read_text(encoding="utf-8"))


def test_every_config_parameter_is_typed() -> None:
    loose = []
    for where, tree in _sources():
        for fn in _functions(tree):
            args = fn.args
            for arg in args.posonlyargs + args.args + args.kwonlyargs:
                if arg.arg not in CONFIG_NAMES:
                    continue
                annotation = ast.unparse(arg.annotation).strip("'\"") if arg.annotation else None
                if annotation is None or "Any" in annotation:
                    loose.append(f"{where}:{fn.lineno} {fn.name}({arg.arg}: {annotation})")
    assert loose == [], "use `config: Config | None`, not Any or no annotation:\n" + "\n".join(loose)


def test_no_attribute_fallbacks_on_the_config() -> None:
    found = []
    for where, tree in _sources():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("getattr", "hasattr") and node.args
                    and isinstance(node.args[0], ast.Name) and node.args[0].id in CONFIG_NAMES):
                found.append(f"{where}:{node.lineno} {ast.unparse(node)}")
    assert found == [], "read Config's attributes (its defaults are the built-in ones):\n" + "\n".join(found)


def test_require_one_of_names_where_the_value_and_the_choices() -> None:
    import pytest

    from assetkit.errors import ConfigError, require_one_of

    assert require_one_of("x.yaml: kind", "fees", ("orders", "fees")) == "fees"
    with pytest.raises(ConfigError, match=r"^x\.yaml: kind: 'fee' is not one of orders, fees$"):
        require_one_of("x.yaml: kind", "fee", ("orders", "fees"))
    with pytest.raises(ConfigError, match=r"is not one of auto, '\.', ','$"):
        require_one_of("decimal", ";", ("auto", ".", ","), "auto, '.', ','")
