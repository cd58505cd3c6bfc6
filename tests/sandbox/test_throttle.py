"""Query cost and the leaky bucket: the calculation, and the bucket over real HTTP with an
injected clock (no sleeps, no timing asserts)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, validate
from graphql.utilities import get_operation_ast

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


def charged(schema: GraphQLSchema, query: str, data: dict[str, Any]) -> int:
    return actual_cost(schema, parse(query), None, None, data)


def test_actual_cost_counts_what_came_back(schema: GraphQLSchema) -> None:
    query = "{ articles(first: 10) { nodes { id blog { id } } } }"
    nodes = [{"id": str(i), "blog": {"id": "b"}} for i in range(5)]
    assert cost(schema, query) == 2 + 4 * 2
    # 5 of 10 nodes of 2 each: m(10) * 10 / 10 = 4 (not a fraction of m times the dearest).
    assert charged(schema, query, {"articles": {"nodes": nodes}}) == 2 + 4
    article = '{ article(id: "gid://shopify/Article/1") { id blog { id } } }'
    assert charged(schema, article, {"article": None}) == 1  # nothing below null


def test_a_full_page_costs_what_was_requested(schema: GraphQLSchema) -> None:
    query = "{ articles(first: 5) { nodes { id blog { id } } } }"
    nodes = [{"id": str(i), "blog": {"id": "b"}} for i in range(5)]
    assert charged(schema, query, {"articles": {"nodes": nodes}}) == cost(schema, query) == 8


def test_a_partial_page_is_charged_its_share_rounded_up(schema: GraphQLSchema) -> None:
    query = "{ pages(first: 5) { nodes { id } } }"
    one = {"pages": {"nodes": [{"id": "1"}]}}
    assert charged(schema, query, one) == 2 + 1  # 3 * 1 / 5 = 0.6
    two = {"pages": {"nodes": [{"id": "1"}, {"id": "2"}]}}
    assert charged(schema, query, two) == 2 + 2  # 1.2
    # Within a tenth above a whole point the fraction is dropped: 11 * 2 / 250 = 0.088.
    blogs = "{ blogs(first: 250) { nodes { id } } }"
    assert charged(schema, blogs, {"blogs": {"nodes": [{"id": "1"}, {"id": "2"}]}}) == 2


def test_has_next_page_is_charged_one_more_row(schema: GraphQLSchema) -> None:
    query = "{ pages(first: 5) { nodes { id } pageInfo { hasNextPage } } }"
    page_info = {"hasNextPage": False}
    one = {"pages": {"nodes": [{"id": "1"}], "pageInfo": page_info}}
    assert charged(schema, query, one) == 2 + 2  # 3 * (1 + 1) / 5 = 1.2
    full = {"pages": {"nodes": [{"id": str(i)} for i in range(5)], "pageInfo": page_info}}
    assert charged(schema, query, full) == 2 + 3  # a full page: no row beyond what was asked


def test_an_empty_connection_costs_its_nodes_as_bare_objects(schema: GraphQLSchema) -> None:
    query = "{ articles(first: 10) { nodes { id blog { id } } } }"
    assert charged(schema, query, {"articles": {"nodes": []}}) == 2 + 4  # m(10), nothing below
    edges = "{ articles(first: 10) { edges { node { id } } } }"
    assert charged(schema, edges, {"articles": {"edges": []}}) == 2  # edges alone: nothing


def test_nested_connections_are_measured_alike(schema: GraphQLSchema) -> None:
    query = "{ blogs(first: 5) { nodes { id articles(first: 5) { nodes { id } } } } }"
    blog = {"id": "b", "articles": {"nodes": [{"id": "1"}, {"id": "2"}]}}
    # The blog: 1 + (2 + 2 for 2 of 5 articles) = 5; one blog of 5: 3 * 5 / 5 = 3.
    assert charged(schema, query, {"blogs": {"nodes": [blog]}}) == 2 + 3


def test_a_list_of_nodes_by_id_is_a_plain_list(schema: GraphQLSchema) -> None:
    query = '{ nodes(ids: ["1", "2", "3"]) { id ... on MediaImage { image { url } } } }'
    image = {"id": "1", "image": {"url": "u"}}
    assert cost(schema, query) == 1 + 1
    assert charged(schema, query, {"nodes": [image, dict(image, id="2"), None]}) == 1 + 1


def test_typename_on_an_abstract_type_costs_one(schema: GraphQLSchema) -> None:
    query = '{ nodes(ids: ["1"]) { __typename id ... on MediaImage { image { url } } } }'
    generic = {"nodes": [{"__typename": "GenericFile", "id": "1"}]}
    assert cost(schema, query) == 1 + 1
    assert charged(schema, query, generic) == 1 + 1  # the GenericFile costs 0, __typename 1
    image = {"nodes": [{"__typename": "MediaImage", "id": "1", "image": {"url": "u"}}]}
    assert charged(schema, query, image) == 2  # 1 + 1 + 1, never above the requested 2


def test_introspection_roots_are_free(schema: GraphQLSchema) -> None:
    query = '{ __type(name: "Page") { fields { name } } }'
    assert cost(schema, query) == 2
    assert charged(schema, query, {"__type": {"fields": [{"name": "id"}]}}) == 1


@pytest.mark.shared
def test_requested_cost_equals_the_live_stores_on_every_capture(schema: GraphQLSchema) -> None:
    checked = 0
    for name, request, document, response in _capture_steps(schema):
        variables = request.get("variables") or {}
        live = response["extensions"]["cost"]["requestedQueryCost"]
        assert requested_cost(schema, document, variables) == live, (name, request)
        checked += 1
    assert checked >= 170


#: Capture steps whose actual cost the model does not reproduce: operation name ->
#: (live actualQueryCost, the sandbox's). Asserted exactly, so any change of the model shows.
ACTUAL_COST_DEVIATIONS = {
    # Sandbox 13 stricter. articles/blogs/pages(first: 5), each with edges and nodes, their
    # nodes holding a Count and a nested first-5 page (comments, articles). No simpler step
    # shows how the live store charges a Count or a page inside a node of a partial page;
    # charged as a share of the node's cost, as here, they come out above it.
    "OnlineStoreContentSearchSeed": (51, 64),
    # Sandbox 6 stricter. Nine sibling connections of 1 or 2 nodes. Charged as here, the
    # two blogs(first: 5) pages of one { articlesCount } node and hasNextPage cost 16 each
    # (2 + 3 * (11 + 11) / 5 = 13.2 -> 14); the live total leaves them 13 each, as if the
    # Count were not scaled and no look-ahead row read. Yet deliveryProfiles(first: 250) with
    # one node of a Count is charged 4 live (a fixture), which an unscaled Count cannot give.
    "OnlineStoreContentSearchFilters": (61, 67),
    # Sandbox 1 kinder. comments(first: 50), 3 nodes of { article { id title } } and
    # hasNextPage: 7 * (3 * 2 + 2) / 50 = 1.12 -> 2, live 3. The live store also charges the
    # same comments page with one node and no pageInfo 2 where this rule gives 1 (an upstream
    # call of the article-delete capture), as if a comment's nested object were charged in
    # full on a small page; products' variants(first: 110) with one node of 3 are charged 1,
    # as here, so it is not a general rule.
    "OnlineStoreNestedContentConnectionsHydrate": (7, 6),
    # Sandbox 1 stricter. comments(first: 3, query: "status:SPAM") with 1 node and
    # hasNextPage: live it was charged no look-ahead row (2 * 1 / 3 -> 1, not 2 * 2 / 3 -> 2),
    # like products(first: 3, query:) and productSavedSearches(first: 3) in the fixtures,
    # while pages, products and metafields pages of first 5 and 10 are charged one. Which
    # connections read the extra row is not visible in a response.
    "OnlineStoreNestedContentConnectionsReadWindows": (33, 34),
}


@pytest.mark.shared
def test_actual_cost_equals_the_live_stores_on_every_capture(schema: GraphQLSchema) -> None:
    checked = 0
    deviations: dict[str, tuple[int, int]] = {}
    for name, request, document, response in _capture_steps(schema):
        variables = request.get("variables") or {}
        operation = get_operation_ast(document, request.get("operationName"))
        assert operation is not None and operation.name is not None, (name, request)
        live = response["extensions"]["cost"]["actualQueryCost"]
        ours = actual_cost(
            schema, document, variables, request.get("operationName"), response.get("data")
        )
        if operation.name.value in ACTUAL_COST_DEVIATIONS:
            deviations[operation.name.value] = (live, ours)
        else:
            assert ours == live, (name, operation.name.value, request)
        checked += 1
    assert deviations == ACTUAL_COST_DEVIATIONS
    assert checked >= 170


def _capture_steps(
    schema: GraphQLSchema,
) -> Iterator[tuple[str, dict[str, Any], DocumentNode, dict[str, Any]]]:
    """Every recorded step of the live captures inside the bundled schema."""
    for path in sorted((shared_dir() / "shopify" / "captures").glob("*.json")):
        for request, response in _recorded_steps(json.loads(path.read_text(encoding="utf-8"))):
            try:
                document = parse(request["query"])
            except GraphQLError:
                continue
            if validate(schema, document):
                continue  # outside the bundled schema
            yield path.name, request, document, response


def _recorded_steps(node: Any) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    if isinstance(node, dict):
        request, response = node.get("request"), node.get("response")
        if (
            isinstance(request, dict)
            and isinstance(response, dict)
            and request.get("query")
            and (response.get("extensions") or {}).get("cost")
        ):
            yield request, response
        for value in node.values():
            yield from _recorded_steps(value)
    elif isinstance(node, list):
        for value in node:
            yield from _recorded_steps(value)


def test_every_response_reports_cost_and_the_bucket(sandbox_factory: Any) -> None:
    sandbox = sandbox_factory(bucket=500, restore_rate=25, clock=FakeClock())
    body = gql(sandbox, "{ articles(first: 20) { nodes { id } } }")
    cost_info = body["extensions"]["cost"]
    assert cost_info["requestedQueryCost"] == 2 + 5
    # The store has no articles, but an empty ``nodes`` page is charged as m(20) = 5 bare
    # nodes (as Shopify charges comments(first: 10) { nodes { id } } 6 when there are none).
    assert cost_info["actualQueryCost"] == 2 + 5
    assert cost_info["throttleStatus"] == {
        "maximumAvailable": 500,
        "currentlyAvailable": 493,
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
