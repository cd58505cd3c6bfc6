"""Documents are parsed, validated and given their fragments before anything is sent:
pure checks against the bundled schema, no server."""

from __future__ import annotations

from importlib.resources import files

import pytest

from shopsync.admin.documents import (
    adhoc_document,
    check_variables,
    compile_document,
    load_document,
    with_fragments,
)
from shopsync.errors import QueryError

QUERY_NAMES = sorted(
    p.name.removesuffix(".graphql")
    for p in files("shopsync.admin").joinpath("queries").iterdir()
    if p.name.endswith(".graphql")
)


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_every_packaged_document_validates(name: str) -> None:
    document = load_document(name)
    assert document.operation_name == name
    assert document.root_keys


def test_a_document_gets_each_fragment_it_spreads_once() -> None:
    document = load_document("SyncBlogArticles")
    assert document.text.count("fragment SyncArticle on Article") == 1
    assert not document.mutation
    assert document.root_keys == ("blog",)


def test_a_missing_fragment_names_the_document() -> None:
    with pytest.raises(QueryError, match=r"Doc: no fragment file for \.\.\.NoSuchFragment"):
        with_fragments("query Doc { blogs(first: 1) { ...NoSuchFragment } }", "Doc")


@pytest.mark.parametrize("name", ["../SyncBlogs", "Sync Blogs", "NoSuchDocument"])
def test_only_packaged_names_load(name: str) -> None:
    with pytest.raises(QueryError) as caught:
        load_document(name)
    assert caught.value.operation == name


def test_syntax_and_schema_errors_name_the_operation() -> None:
    with pytest.raises(QueryError, match="Broken: GraphQL syntax error"):
        compile_document("query Broken { blogs(", operation_name="Broken")
    with pytest.raises(QueryError, match="Typo does not match the Admin API") as typo:
        compile_document("query Typo { blogz(first: 1) { nodes { id } } }")
    assert typo.value.operation == "Typo"
    assert "blogz" in typo.value.message


def test_one_operation_is_chosen_by_name() -> None:
    text = (
        "query A { blogs(first: 1) { nodes { id } } } query B { pages(first: 1) { nodes { id } } }"
    )
    with pytest.raises(QueryError, match="expected exactly one operation"):
        compile_document(text)
    assert compile_document(text, operation_name="B").operation_name == "B"
    assert adhoc_document(text, "B") is adhoc_document(text, "B")  # compiled once


def test_variables_are_checked_against_the_declarations() -> None:
    document = load_document("SyncBlogs")
    check_variables(document, {"first": 10})
    with pytest.raises(QueryError, match="SyncBlogs: variables refused") as caught:
        check_variables(document, {"first": "ten"})
    assert caught.value.errors
    assert caught.value.operation == "SyncBlogs"
