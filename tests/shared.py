"""Where ``../shared`` (the full Shopify schema and the live captures) is, for tests that need it.

CI sets ``SHOPSYNC_SHARED_DIR`` and ``SHOPSYNC_REQUIRE_SHARED=1``: there a missing directory fails
the test instead of skipping it, so a broken checkout can never pass quietly.
"""

from __future__ import annotations

import importlib.util
import os
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
from graphql import DocumentNode, GraphQLSchema

REPO = Path(__file__).resolve().parent.parent


def _where() -> Path:
    configured = os.environ.get("SHOPSYNC_SHARED_DIR")
    return Path(configured) if configured else REPO.parent / "shared"


def shared_dir() -> Path:
    path = _where()
    if (path / "shopify").is_dir():
        return path
    if os.environ.get("SHOPSYNC_REQUIRE_SHARED") == "1":
        pytest.fail(f"{path} is required (SHOPSYNC_REQUIRE_SHARED=1) but missing")
    pytest.skip(f"{path} is missing (the full schema and captures live there)")


def shared_files(folder: str, pattern: str = "*.json") -> list[Path | None]:
    """Files in ``shopify/<folder>`` for a list built at collection (``parametrize``), found
    where ``shared_dir`` looks. Collection cannot fail or skip one test, and an empty list
    makes pytest skip quietly, CI included: with no file, the list is ``[None]``, and the test
    given ``None`` calls ``missing_shared_files`` to fail in CI and skip elsewhere."""
    found = sorted((_where() / "shopify" / folder).glob(pattern))
    return [*found] if found else [None]


def missing_shared_files(folder: str) -> None:
    """For the ``None`` of ``shared_files``: fails (CI) or skips; fails if the folder is empty."""
    path = shared_dir() / "shopify" / folder
    pytest.fail(f"{path} holds none of the files these tests need (an incomplete copy?)")


def full_schema_path() -> Path:
    return shared_dir() / "shopify" / "admin-2026-07.graphql"


#: The tests that build the full schema share this xdist group, so one worker builds it once
#: per run (``--dist loadgroup`` in pyproject's addopts), not every worker on its own.
FULL_SCHEMA_GROUP = pytest.mark.xdist_group("full-schema")


@cache
def _load(path: Path) -> tuple[DocumentNode, GraphQLSchema]:
    loaded: tuple[DocumentNode, GraphQLSchema] = extract_schema().load_full(
        path.read_text(encoding="utf-8")
    )
    return loaded


def full_document() -> DocumentNode:
    """The full SDL, parsed once per test process."""
    return _load(full_schema_path())[0]


def full_schema() -> GraphQLSchema:
    """Built once per test process (seconds: 3,552 types), by the extractor's own loader.

    ``assume_valid``: Shopify's own introspection has deprecation mismatches between interfaces and
    implementors that graphql-core's strict schema check rejects; the schema is Shopify's, not ours.
    """
    return _load(full_schema_path())[1]


@cache
def extract_schema() -> ModuleType:
    """``scripts/extract_schema.py`` as a module (it is a script, not part of the package)."""
    path = REPO / "scripts" / "extract_schema.py"
    spec = importlib.util.spec_from_file_location("extract_schema", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
