"""The package's boundaries, as rules a change cannot break quietly.

- ``shopsync.content`` (files → models → HTML) never reaches the store layer: not directly,
  not through anything it imports. Validation works offline because of this.
- ``shopsync.admin`` is the only code that imports ``requests``: every byte to a store goes
  through its client (timeouts, retries, pacing, token handling).
- ``shopsync.vocabulary`` is shared by both and imports neither.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "shopsync"


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)


def imported_modules(path: Path) -> set[str]:
    return imports_of(path.read_text(encoding="utf-8"), module_name(path))


def imports_of(source: str, module: str) -> set[str]:
    """Every module ``source`` (the text of ``module``) imports, relative imports resolved."""
    tree = ast.parse(source)
    package = module.split(".")[:-1]  # "pkg.__init__" too: its imports are relative to pkg
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def modules_under(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py")) if folder else sorted(PACKAGE.rglob("*.py"))


def reaches(imports: set[str], prefix: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for name in imports)


@pytest.mark.parametrize("path", modules_under("content"), ids=lambda p: p.name)
def test_content_never_imports_the_store_layer(path: Path) -> None:
    imports = imported_modules(path)
    assert not reaches(imports, "shopsync.admin"), imports
    assert not reaches(imports, "requests"), imports
    assert not reaches(imports, "shopsync.sandbox"), imports


def test_content_does_not_reach_the_store_layer_indirectly_either() -> None:
    # A fresh interpreter: what importing every content module loads, transitively.
    names = [module_name(p).removesuffix(".__init__") for p in modules_under("content")]
    code = (
        "import importlib, json, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
        ).stdout
    )
    offending = [m for m in loaded if m.startswith(("shopsync.admin", "requests", "urllib3"))]
    assert offending == []


def test_only_the_store_layer_imports_requests() -> None:
    importers = sorted(
        path.relative_to(PACKAGE).as_posix()
        for path in modules_under("")
        if reaches(imported_modules(path), "requests")
    )
    assert importers, "the rule would hold vacuously"
    assert all(name.startswith("admin/") for name in importers), importers


def test_the_vocabulary_imports_neither_side() -> None:
    imports = imported_modules(PACKAGE / "vocabulary.py")
    assert not [name for name in imports if name.startswith("shopsync")], imports


def test_the_checker_resolves_relative_imports() -> None:
    found = imports_of(
        "from ..admin import client\nimport requests.adapters\n", "shopsync.content.probe"
    )
    assert reaches(found, "shopsync.admin.client") and reaches(found, "requests")
    assert imports_of("from . import render\n", "shopsync.content.loader") >= {
        "shopsync.content.render"
    }
