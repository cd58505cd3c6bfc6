"""A ``list.*`` metafield holds at most 128 values, whatever the list's type and however it is
written (inline on articleCreate/articleUpdate/pageCreate, or metafieldsSet). The refusal is the
one recorded live for ``list.single_line_text_field`` in ``shared/shopify/captures/2025-01_
metafields_metafields-set-input-validation.json`` (case ``invalidValueListTextLength``): "Value has
more than 128 elements.", INVALID_VALUE, ``elementIndex`` null, on the value's field."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from shopsync.sandbox import SandboxServer

from .gql import article_input, create_blog, gql

TOO_MANY = "Value has more than 128 elements."

SET = """
mutation Set($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { key }
    userErrors { field message code elementIndex }
  }
}
"""
ARTICLE_CREATE = """
mutation Create($article: ArticleCreateInput!) {
  articleCreate(article: $article) { article { id } userErrors { field message code } }
}
"""
ARTICLE_UPDATE = """
mutation Update($id: ID!, $article: ArticleUpdateInput!) {
  articleUpdate(id: $id, article: $article) { article { id } userErrors { field message code } }
}
"""
PAGE_CREATE = """
mutation Page($page: PageCreateInput!) {
  pageCreate(page: $page) { page { id } userErrors { field message code } }
}
"""


@pytest.fixture
def sandbox(sandbox_factory: Any) -> SandboxServer:
    """A store with 130 products, so that a list of 129 distinct product GIDs can be sent."""
    products = [{"handle": f"product-{i}", "title": f"Product {i}"} for i in range(130)]
    server: SandboxServer = sandbox_factory(products=products)
    return server


def _values(sandbox: SandboxServer) -> dict[str, Callable[[int], list[Any]]]:
    """For each list type, n distinct valid values."""
    products = [p["id"] for p in sandbox.store.all("product")]
    return {
        "list.single_line_text_field": lambda n: [f"item-{i}" for i in range(n)],
        "list.number_integer": lambda n: list(range(n)),
        "list.url": lambda n: [f"https://example.com/{i}" for i in range(n)],
        "list.product_reference": lambda n: products[:n],
    }


def _metafield(type_name: str, values: list[Any]) -> dict[str, str]:
    return {"namespace": "custom", "key": "many", "type": type_name, "value": json.dumps(values)}


LIST_TYPES = [
    "list.single_line_text_field",
    "list.number_integer",
    "list.url",
    "list.product_reference",
]


@pytest.mark.parametrize("type_name", LIST_TYPES)
def test_metafields_set_takes_128_values_and_refuses_129(
    sandbox: SandboxServer, type_name: str
) -> None:
    blog = create_blog(sandbox)
    values = _values(sandbox)[type_name]

    def write(n: int) -> dict[str, Any]:
        item = {"ownerId": blog, **_metafield(type_name, values(n))}
        answer: dict[str, Any] = gql(sandbox, SET, {"metafields": [item]})["data"]["metafieldsSet"]
        return answer

    assert write(128)["userErrors"] == []
    assert write(129) == {
        "metafields": [],
        "userErrors": [
            {
                "field": ["metafields", "0", "value"],
                "message": TOO_MANY,
                "code": "INVALID_VALUE",
                "elementIndex": None,
            }
        ],
    }


@pytest.mark.parametrize("type_name", LIST_TYPES)
def test_inline_metafields_refuse_129_values(sandbox: SandboxServer, type_name: str) -> None:
    blog = create_blog(sandbox)
    too_many = _metafield(type_name, _values(sandbox)[type_name](129))
    refusal = {"message": TOO_MANY, "code": "INVALID_VALUE"}

    created = gql(
        sandbox, ARTICLE_CREATE, {"article": article_input(blog, "a", metafields=[too_many])}
    )["data"]["articleCreate"]
    assert created["article"] is None
    assert created["userErrors"] == [{"field": ["article", "metafields", "0", "value"], **refusal}]

    article = gql(sandbox, ARTICLE_CREATE, {"article": article_input(blog, "b")})
    article_id = article["data"]["articleCreate"]["article"]["id"]
    updated = gql(
        sandbox, ARTICLE_UPDATE, {"id": article_id, "article": {"metafields": [too_many]}}
    )["data"]["articleUpdate"]
    assert updated["userErrors"] == [{"field": ["article", "metafields", "0", "value"], **refusal}]

    page = gql(sandbox, PAGE_CREATE, {"page": {"title": "P", "metafields": [too_many]}})
    assert page["data"]["pageCreate"]["userErrors"] == [
        {"field": ["page", "metafields", "0", "value"], **refusal}
    ]


def test_the_limit_holds_under_a_definition_without_a_type(sandbox: SandboxServer) -> None:
    """A write that leaves the type to a ``list.*`` definition is held to the limit as well."""
    definition = {
        "name": "Many",
        "namespace": "custom",
        "key": "many",
        "ownerType": "BLOG",
        "type": "list.single_line_text_field",
    }
    query = """
    mutation D($definition: MetafieldDefinitionInput!) {
      metafieldDefinitionCreate(definition: $definition) { userErrors { code } }
    }
    """
    assert gql(sandbox, query, {"definition": definition})["data"] == {
        "metafieldDefinitionCreate": {"userErrors": []}
    }
    blog = create_blog(sandbox)
    item = {"ownerId": blog, "namespace": "custom", "key": "many"}
    item["value"] = json.dumps([str(i) for i in range(129)])
    answer = gql(sandbox, SET, {"metafields": [item]})["data"]["metafieldsSet"]
    assert [e["message"] for e in answer["userErrors"]] == [TOO_MANY]
