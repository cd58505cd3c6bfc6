"""The bundled schema subset is a faithful piece of Shopify's full Admin schema.

If these pass, a document the client validates against the subset is valid on Shopify, and
the sandbox never answers a field Shopify does not have.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from graphql import (
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    parse,
    validate,
)

from shopsync.admin import batch
from shopsync.admin.documents import load_document
from shopsync.admin.remote import PRODUCT_BATCH, products_document, snapshot_document
from shopsync.admin.schema import admin_schema, subset_sdl

from .shared import FULL_SCHEMA_GROUP, REPO, extract_schema, full_document, full_schema

pytestmark = [pytest.mark.shared, FULL_SCHEMA_GROUP]

QUERIES = sorted((REPO / "shopsync" / "admin" / "queries").glob("*.graphql"))


def test_the_extractor_reproduces_the_committed_subset() -> None:
    script = extract_schema()
    text = script.extract(full_document(), full_schema(), script.documents())
    assert text == subset_sdl(), "re-run scripts/extract_schema.py"


def test_the_extractor_runs_as_a_script(tmp_path: Path) -> None:
    # The command people run; on a tiny SDL, so the full schema is not built a second time.
    sdl = tmp_path / "tiny.graphql"
    sdl.write_text(
        "schema { query: QueryRoot }\n"
        "type QueryRoot { blogsCount: Count, notServed: Int }\ntype Count { count: Int! }\n",
        encoding="utf-8",
    )
    out = tmp_path / "subset.graphql"
    script = REPO / "scripts" / "extract_schema.py"
    command = [sys.executable, str(script), str(sdl), "--output", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {out}")
    written = out.read_text(encoding="utf-8")
    assert "blogsCount: Count" in written and "notServed" not in written


def _type_strings(schema: GraphQLSchema, name: str) -> dict[str, str]:
    """Every member of a named type as comparable text: fields with their args, values, members."""
    t = schema.type_map[name]
    out: dict[str, str] = {"kind": type(t).__name__}
    if isinstance(t, GraphQLObjectType | GraphQLInterfaceType):
        out["interfaces"] = ",".join(sorted(i.name for i in t.interfaces))
        for fname, field in t.fields.items():
            out[f"field {fname}"] = str(field.type)
            for aname, arg in field.args.items():
                out[f"arg {fname}.{aname}"] = f"{arg.type}={arg.default_value!r}"
    elif isinstance(t, GraphQLInputObjectType):
        for fname, field in t.fields.items():
            out[f"input {fname}"] = f"{field.type}={field.default_value!r}"
    elif isinstance(t, GraphQLEnumType):
        out["values"] = ",".join(sorted(t.values))
    elif isinstance(t, GraphQLUnionType):
        out["members"] = ",".join(sorted(m.name for m in t.types))
    return out


def test_every_member_of_the_subset_exists_identically_in_the_full_schema() -> None:
    subset, full = admin_schema(), full_schema()
    problems: list[str] = []
    for name in subset.type_map:
        if name.startswith("__"):
            continue
        if name not in full.type_map:
            problems.append(f"type {name} is not in the full schema")
            continue
        mine, theirs = _type_strings(subset, name), _type_strings(full, name)
        if mine["kind"] != theirs["kind"]:
            problems.append(f"{name}: {mine['kind']} here, {theirs['kind']} in Shopify's")
        for key, value in mine.items():
            if key in ("kind", "interfaces", "members"):
                # A subset may implement fewer interfaces / hold fewer members, never others.
                extra = set(filter(None, value.split(","))) - set(theirs.get(key, "").split(","))
                if key != "kind" and extra:
                    problems.append(f"{name} {key}: {sorted(extra)} not in Shopify's")
            elif key == "values":
                if value != theirs.get(key):
                    problems.append(f"{name}: enum values differ")
            elif theirs.get(key) != value:
                problems.append(f"{name} {key}: {value} here, {theirs.get(key)} in Shopify's")
        # Required inputs and arguments are never dropped: a client would send too little.
        for key, value in theirs.items():
            required = value.split("=")[0].endswith("!") and value.endswith("=Undefined")
            if key.startswith(("input ", "arg ")) and required and key not in mine:
                field = key.split(" ", 1)[1].split(".")[0]
                if key.startswith("input ") or f"field {field}" in mine:
                    problems.append(f"{name} {key}: required in Shopify's, missing here")
    assert problems == []


def test_the_subset_keeps_the_roots_shopsync_and_the_sandbox_need() -> None:
    schema = admin_schema()
    assert schema.query_type is not None and schema.mutation_type is not None
    for name in (
        "blogs",
        "articles",
        "pages",
        "products",
        "productByIdentifier",
        "currentAppInstallation",
        "publicApiVersions",
        "urlRedirects",
    ):
        assert name in schema.query_type.fields
    for name in (
        "articleCreate",
        "articleUpdate",
        "pageCreate",
        "pageUpdate",
        "metafieldsSet",
        "urlRedirectCreate",
        "blogCreate",
    ):
        assert name in schema.mutation_type.fields


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_every_shopsync_document_validates_against_subset_and_full_schema(path: Path) -> None:
    document = parse(load_document(path.stem).text)  # with the fragments it spreads
    assert validate(admin_schema(), document) == []
    assert validate(full_schema(), document) == []


@pytest.mark.parametrize("products", [0, 1, PRODUCT_BATCH])
@pytest.mark.parametrize("files", [False, True])
def test_every_variant_of_the_generated_snapshot_validates(products: int, files: bool) -> None:
    document = parse(snapshot_document(products=products, files=files))
    assert validate(admin_schema(), document) == []
    assert validate(full_schema(), document) == []


def test_the_product_lookups_beyond_the_snapshot_validate() -> None:
    document = parse(products_document(PRODUCT_BATCH))
    assert validate(admin_schema(), document) == []
    assert validate(full_schema(), document) == []


def test_a_batch_of_every_kind_of_write_validates() -> None:
    writes = [
        batch.Write("article", {"title": "New"}),
        batch.Write("article", {"title": "Edited"}, id="gid://shopify/Article/1"),
        batch.Write(
            "article", {"title": "No SEO"}, id="gid://shopify/Article/2", remove=(("global", "x"),)
        ),
        batch.Write("page", {"title": "New page"}),
        batch.Write("page", {"title": "Page"}, id="gid://shopify/Page/3", remove=(("g", "k"),)),
    ]
    text, name, variables = batch.document(writes)
    document = parse(text)
    assert name == "SyncWrite5"
    assert validate(admin_schema(), document) == []
    assert validate(full_schema(), document) == []
    assert set(variables) == {"w0", "w1", "id1", "w2", "id2", "r2", "w3", "w4", "id4", "r4"}


def test_every_fragment_file_is_used_and_defines_its_namesake() -> None:
    fragments = sorted((REPO / "shopsync" / "admin" / "queries" / "fragments").glob("*.graphql"))
    assert fragments
    sent = "\n".join(load_document(path.stem).text for path in QUERIES)
    for path in fragments:
        (definition,) = parse(path.read_text(encoding="utf-8")).definitions
        assert isinstance(definition, FragmentDefinitionNode)
        assert definition.name.value == path.stem
        assert f"fragment {path.stem} on" in sent
