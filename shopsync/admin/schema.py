"""The bundled subset of Shopify's Admin GraphQL schema.

``admin-2026-07.subset.graphql`` holds the types reachable from the root fields
shopsync sends and the sandbox serves, extracted from the full SDL by
``scripts/extract_schema.py`` (a test proves it is consistent with the full one).
Both the client (pre-flight validation) and the sandbox (execution) use it, so a
query the sandbox accepts is one Shopify accepts.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from graphql import GraphQLSchema, build_schema

SCHEMA_VERSION = "2026-07"
SUBSET_FILE = f"admin-{SCHEMA_VERSION}.subset.graphql"


def subset_sdl() -> str:
    return files("shopsync.admin").joinpath(SUBSET_FILE).read_text(encoding="utf-8")


@cache
def admin_schema() -> GraphQLSchema:
    """Built once per process: building is the expensive part."""
    return build_schema(subset_sdl())
