"""How the sandbox's modules depend on each other: no import cycle, and the engine is handed
its resolver tables instead of importing the modules that define them."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from graphql import parse

from shopsync.admin.schema import admin_schema
from shopsync.sandbox import content, definitions, files, shop
from shopsync.sandbox.engine import Engine
from shopsync.sandbox.resolving import Info, Resolver, resolver_table
from shopsync.sandbox.server import DEFAULT_RESOLVERS
from shopsync.sandbox.store import Store

PACKAGE = Path(__file__).resolve().parents[2] / "shopsync" / "sandbox"
RESOLVER_MODULES = ("content", "definitions", "files", "shop", "server")


def _sandbox_imports(path: Path, modules: set[str]) -> set[str]:
    """The package's modules ``path`` imports anywhere (a function body too), by name."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module == "shopsync.sandbox":
            names = [f"shopsync.sandbox.{alias.name}" for alias in node.names]
            # A name the package re-exports (SandboxServer) comes through __init__.
            names = [n if n.rsplit(".", 1)[1] in modules else "shopsync.sandbox" for n in names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            if name == "shopsync.sandbox":
                found.add("__init__")
            elif name.startswith("shopsync.sandbox."):
                found.add(name.split(".")[2])
    return found


def test_the_sandbox_modules_import_each_other_without_a_cycle() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    graph = {m: _sandbox_imports(PACKAGE / f"{m}.py", modules) for m in modules}
    assert graph["engine"] <= {"resolving", "store"}
    assert graph["resolving"] <= {"store"}

    def cycle_from(module: str, trail: list[str]) -> list[str] | None:
        if module in trail:
            return [*trail[trail.index(module) :], module]
        for imported in sorted(graph[module]):
            found = cycle_from(imported, [*trail, module])
            if found:
                return found
        return None

    assert [c for m in sorted(modules) if (c := cycle_from(m, []))] == []


@pytest.mark.parametrize("module", ["resolving", "engine"])
def test_importing_the_engine_or_its_helpers_loads_no_resolver_module(module: str) -> None:
    script = (
        f"import json, sys, shopsync.sandbox.{module}; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('shopsync.sandbox'))))"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = {name.rsplit(".", 1)[-1] for name in json.loads(run.stdout)}
    assert module in loaded
    assert loaded.isdisjoint(RESOLVER_MODULES)


def test_the_server_serves_every_resolver_modules_table() -> None:
    served = DEFAULT_RESOLVERS
    assert served == (content.RESOLVERS, definitions.RESOLVERS, files.RESOLVERS, shop.RESOLVERS)
    assert all(DEFAULT_RESOLVERS)


def _seven(_: Any, info: Info, **args: Any) -> dict[str, Any]:
    return {"count": 7, "precision": "EXACT"}


def test_the_engine_answers_with_the_tables_it_is_given() -> None:
    store = Store()
    try:
        table: dict[tuple[str, str], Resolver] = {("QueryRoot", "blogsCount"): _seven}
        engine = Engine(store, admin_schema(), resolvers=[table])
        result = engine.execute(parse("{ blogsCount { count } }"))
        assert result.errors is None
        assert result.data == {"blogsCount": {"count": 7}}
    finally:
        store.close()


def test_a_field_in_two_tables_is_refused() -> None:
    first: dict[tuple[str, str], Resolver] = {("QueryRoot", "blogsCount"): _seven}
    second: dict[tuple[str, str], Resolver] = {("QueryRoot", "blogsCount"): _seven}
    store = Store()
    try:
        with pytest.raises(ValueError, match=r"two resolvers for QueryRoot\.blogsCount"):
            Engine(store, admin_schema(), resolvers=[first, second])
    finally:
        store.close()


def test_a_field_registered_twice_in_one_module_is_refused() -> None:
    table, resolver = resolver_table()
    resolver("QueryRoot", "blogsCount")(_seven)
    with pytest.raises(ValueError, match=r"two resolvers for QueryRoot\.blogsCount"):
        resolver("QueryRoot", "pagesCount", "blogsCount")(_seven)
    assert table == {("QueryRoot", "blogsCount"): _seven, ("QueryRoot", "pagesCount"): _seven}
