"""Query cost and the leaky bucket: the calculation, and the bucket over real HTTP with an
injected clock (no sleeps, no timing asserts)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from graphql import GraphQLError, GraphQLSchema, parse, validate

from shopsync.admin.schema import admin_schema
from shopsync.sandbox.throttle import (
    CostBucket,
    actual_cost,
    connection_multiplier,
    requested_cost,
)

from ..shared import shared_dir
from .gql import ARTICLE_CREATE, FakeClock, article_input, create_blog, gql


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return admin_schema()


def cost(schema: GraphQLSchema, query: str, variables: dict[str, Any] | None = None) -> int:
    return requested_cost(schema, parse(query), variables)


def test_bucket_reserves_refunds_and_restores_at_its_rate() -> None:
    clock = FakeClock()
    bucket = CostBucket(capacity=100, restore_rate=10, clock=clock)
    status = bucket.reserve(60)
    assert status is not None and status.currently_available == 40
    assert bucket.reserve(50) is None  # not enough: nothing taken
    assert bucket.status().currently_available == 40
    clock.advance(1.0)
    assert bucket.status().currently_available == 50
    assert bucket.reserve(50) is not None
    assert bucket.refund(15).currently_available == 15
    clock.advance(1000)
    assert bucket.status().currently_available == 100  # never above capacity
    assert bucket.status().to_dict() == {
        "maximumAvailable": 100,
        "currentlyAvailable": 100,
        "restoreRate": 10,
    }


def test_scalars_are_free_objects_cost_one(schema: GraphQLSchema) -> None:
    assert cost(schema, "{ publicApiVersions { handle supported } }") == 1
    assert cost(schema, '{ article(id: "gid://shopify/Article/1") { id title } }') == 1
    nested = '{ article(id: "gid://shopify/Article/1") { id blog { id title } } }'
    assert cost(schema, nested) == 2


def test_connection_size_multiplier() -> None:
    sizes = [0, 1, 2, 3, 5, 10, 50, 100, 250]
    assert [connection_multiplier(n) for n in sizes] == [0, 1, 1, 2, 3, 4, 7, 9, 11]


def test_connections_cost_two_plus_a_multiple_of_a_node(schema: GraphQLSchema) -> None:
    assert cost(schema, "{ articles(first: 10) { nodes { id title } } }") == 2 + 4
    edges = "{ articles(last: 5) { edges { cursor node { id } } pageInfo { hasNextPage } } }"
    assert cost(schema, edges) == 2 + 3
    by_variable = "query($n: Int) { articles(first: $n) { nodes { id } } }"
    assert cost(schema, by_variable, {"n": 50}) == 2 + 7
    nested = "{ blogs(first: 3) { nodes { id articles(first: 4) { nodes { id } } } } }"
    assert cost(schema, nested) == 2 + 2 * (1 + 2 + 2 * 1)
    both = "{ articles(first: 5) { nodes { id } edges { node { id } } } }"
    assert cost(schema, both) == 2 + 3 * (1 + 1)


def test_counts_cost_ten(schema: GraphQLSchema) -> None:
    assert cost(schema, "{ blogsCount { count precision } }") == 10
    query = '{ blog(id: "gid://shopify/Blog/1") { id articlesCount { count } } }'
    assert cost(schema, query) == 1 + 10


def test_fragments_and_aliases_count_like_fields(schema: GraphQLSchema) -> None:
    query = """
    query { a: articles(first: 2) { nodes { ...F } } b: articles(first: 3) { nodes { ...F } } }
    fragment F on Article { id blog { id } }
    """
    assert cost(schema, query) == (2 + 1 * 2) + (2 + 2 * 2)


def test_every_mutation_root_field_costs_ten(schema: GraphQLSchema) -> None:
    one = 'mutation { articleDelete(id: "gid://shopify/Article/1") { deletedArticleId } }'
    assert cost(schema, one) == 10
    two = """mutation {
      a: articleDelete(id: "gid://shopify/Article/1") { deletedArticleId }
      b: pageDelete(id: "gid://shopify/Page/1") { deletedPageId }
    }"""
    assert cost(schema, two) == 20
    # The payload's own objects come with the 10; what they select below costs as usual.
    payload = """mutation($a: ArticleCreateInput!) { articleCreate(article: $a) {
      article { id author { name } blog { id } } userErrors { field message code } } }"""
    assert cost(schema, payload) == 10 + 1 + 1


def test_actual_cost_counts_what_came_back(schema: GraphQLSchema) -> None:
    document = parse("{ articles(first: 10) { nodes { id blog { id } } } }")
    nodes = [{"id": str(i), "blog": {"id": "b"}} for i in range(5)]
    assert requested_cost(schema, document) == 2 + 4 * 2
    assert actual_cost(schema, document, None, None, {"articles": {"nodes": nodes}}) == 2 + 3 * 2
    assert actual_cost(schema, document, None, None, {"articles": {"nodes": []}}) == 2
    article = parse('{ article(id: "gid://shopify/Article/1") { id blog { id } } }')
    assert actual_cost(schema, article, None, None, {"article": None}) == 1  # nothing below null


@pytest.mark.shared
def test_requested_cost_equals_the_live_stores_on_every_capture(schema: GraphQLSchema) -> None:
    checked = 0
    for path in sorted((shared_dir() / "shopify" / "captures").glob("*.json")):
        for request, charged in _recorded_costs(json.loads(path.read_text(encoding="utf-8"))):
            try:
                document = parse(request["query"])
            except GraphQLError:
                continue
            if validate(schema, document):
                continue  # outside the bundled schema
            variables = request.get("variables") or {}
            assert requested_cost(schema, document, variables) == charged, (path.name, request)
            checked += 1
    assert checked >= 100


def _recorded_costs(node: Any) -> Iterator[tuple[dict[str, Any], int]]:
    if isinstance(node, dict):
        request, response = node.get("request"), node.get("response")
        if isinstance(request, dict) and isinstance(response, dict) and request.get("query"):
            cost_info = (response.get("extensions") or {}).get("cost")
            if cost_info:
                yield request, cost_info["requestedQueryCost"]
        for value in node.values():
            yield from _recorded_costs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _recorded_costs(value)


def test_every_response_reports_cost_and_the_bucket(sandbox_factory: Any) -> None:
    sandbox = sandbox_factory(bucket=500, restore_rate=25, clock=FakeClock())
    body = gql(sandbox, "{ articles(first: 20) { nodes { id } } }")
    cost_info = body["extensions"]["cost"]
    assert cost_info["requestedQueryCost"] == 2 + 5
    assert cost_info["actualQueryCost"] == 2  # the store has no articles: the rest refunded
    assert cost_info["throttleStatus"] == {
        "maximumAvailable": 500,
        "currentlyAvailable": 498,
        "restoreRate": 25,
    }


def test_bucket_drains_then_restores_at_the_configured_rate(sandbox_factory: Any) -> None:
    clock = FakeClock()
    sandbox = sandbox_factory(bucket=60, restore_rate=10, clock=clock)
    blog_id = create_blog(sandbox)  # 10 points: 50 left
    outcomes = []
    for i in range(6):
        body = gql(sandbox, ARTICLE_CREATE, {"article": article_input(blog_id, f"a-{i}")})
        outcomes.append("data" in body)
    assert outcomes == [True] * 5 + [False]
    throttled = body
    assert throttled["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert throttled["extensions"]["cost"]["requestedQueryCost"] == 10
    assert throttled["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 0
    clock.advance(0.5)  # 5 points: still short of one mutation
    assert "errors" in gql(sandbox, ARTICLE_CREATE, {"article": article_input(blog_id, "x")})
    clock.advance(0.5)  # 10 points: exactly one more
    assert "data" in gql(sandbox, ARTICLE_CREATE, {"article": article_input(blog_id, "a-5")})
    # Counted in the store directly: a 250-article read would not fit this small bucket.
    assert len(sandbox.store.articles_of(blog_id)) == 6


def test_concurrent_expensive_requests_drain_the_bucket_exactly(sandbox_factory: Any) -> None:
    clock = FakeClock()
    sandbox = sandbox_factory(bucket=110, restore_rate=1, clock=clock)
    blog_id = create_blog(sandbox)  # 100 left: room for exactly 10 mutations

    def create(i: int) -> Any:
        return gql(sandbox, ARTICLE_CREATE, {"article": article_input(blog_id, f"c-{i:02d}")})

    with ThreadPoolExecutor(max_workers=16) as pool:
        bodies = list(pool.map(create, range(16)))
    landed = [b for b in bodies if "data" in b]
    throttled = [b for b in bodies if "data" not in b]
    assert len(landed) == 10
    assert all(b["errors"][0]["extensions"]["code"] == "THROTTLED" for b in throttled)
    assert len(sandbox.store.articles_of(blog_id)) == 10


def test_query_over_the_single_query_limit_is_refused(sandbox: Any) -> None:
    query = """{ blogs(first: 250) { nodes {
      articles(first: 250) { nodes { metafields(first: 250) { nodes { id } } } } } } }"""
    body = gql(sandbox, query)
    assert "data" not in body
    (error,) = body["errors"]
    requested = 2 + 11 * (1 + 2 + 11 * (1 + 2 + 11 * 1))
    assert error["message"].startswith(
        f"Query cost is {requested}, which exceeds the single query max cost limit (1000)."
    )
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert error["extensions"]["cost"] == requested
    assert error["extensions"]["maxCost"] == 1000
    status = body["extensions"]["cost"]["throttleStatus"]
    assert status["currentlyAvailable"] == status["maximumAvailable"]  # nothing was charged


def test_a_query_larger_than_a_small_bucket_is_refused_not_throttled(sandbox_factory: Any) -> None:
    sandbox = sandbox_factory(bucket=50, restore_rate=5, clock=FakeClock())
    body = gql(sandbox, "{ articles(first: 250) { nodes { id commentsCount { count } } } }")
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert error["extensions"]["maxCost"] == 50
    assert error["extensions"]["cost"] == 2 + 11 * (1 + 10)
