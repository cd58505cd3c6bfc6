"""Where ``../shared`` (the full Shopify schema and the live captures) is, for tests that need it.

CI sets ``SHOPSYNC_SHARED_DIR`` and ``SHOPSYNC_REQUIRE_SHARED=1``: there a missing directory fails
the test instead of skipping it, so a broken checkout can never pass quietly.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_schema

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    configured = os.environ.get("SHOPSYNC_SHARED_DIR")
    path = Path(configured) if configured else REPO.parent / "shared"
    if (path / "shopify").is_dir():
        return path
    if os.environ.get("SHOPSYNC_REQUIRE_SHARED") == "1":
        pytest.fail(f"{path} is required (SHOPSYNC_REQUIRE_SHARED=1) but missing")
    pytest.skip(f"{path} is missing (the full schema and captures live there)")


def full_schema_path() -> Path:
    return shared_dir() / "shopify" / "admin-2026-07.graphql"


@cache
def _build(path: Path) -> GraphQLSchema:
    return build_schema(path.read_text(encoding="utf-8"), assume_valid=True)


def full_schema() -> GraphQLSchema:
    """Built once per test process (about 2 s).

    ``assume_valid``: Shopify's own introspection has deprecation mismatches between interfaces and
    implementors that graphql-core's strict schema check rejects; the schema is Shopify's, not ours.
    """
    return _build(full_schema_path())
