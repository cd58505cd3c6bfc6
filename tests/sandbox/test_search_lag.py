"""The search index lags writes: reads with ``query:`` answer as of ``search_lag_ms`` ago.

On Shopify, search (``articles(query:)``, ``files(query:)``...) is served by an index that
catches up with writes a moment later, while reads by id and plain listings are the
database's. The sandbox keeps that difference, measured by the store's clock, which these
tests move by hand (``StoreClock``): nothing here waits for real time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shopsync.sandbox import SandboxServer

from ..conftest import SEARCH_LAG_MS, SandboxFactory
from ..images import StoreClock, png
from .gql import article_input, create_blog, gql
from .test_files import created, search, uploaded

LAG_MS = 500.0
LAG_S = LAG_MS / 1000


@pytest.fixture
def clock() -> StoreClock:
    return StoreClock()


@pytest.fixture
def lagging(sandbox_factory: SandboxFactory, clock: StoreClock) -> SandboxServer:
    """A sandbox whose search is LAG_MS behind, on a clock the test moves."""
    sandbox = sandbox_factory(search_lag_ms=LAG_MS, file_processing_s=0)
    sandbox.store.clock = clock
    return sandbox


def data(sandbox: SandboxServer, query: str, variables: dict[str, Any] | None = None) -> Any:
    body = gql(sandbox, query, variables)
    assert "errors" not in body, body["errors"]
    return body["data"]


ARTICLE_CREATE = """mutation($a: ArticleCreateInput!) {
  articleCreate(article: $a) { article { id } userErrors { message } } }"""
ARTICLE_UPDATE = """mutation($id: ID!, $a: ArticleUpdateInput!) {
  articleUpdate(id: $id, article: $a) { article { id } userErrors { message } } }"""
ARTICLE_DELETE = """mutation($id: ID!) {
  articleDelete(id: $id) { deletedArticleId userErrors { message } } }"""
SEARCH_ARTICLES = """query($q: String) {
  articles(first: 50, query: $q) { nodes { id handle title } } }"""
BLOG_ARTICLES = (
    """query($id: ID!) { blog(id: $id) { articles(first: 50) { nodes { id handle } } } }"""
)
BY_ID = """query($id: ID!) { article(id: $id) { id handle title } }"""
NODES = """query($ids: [ID!]!) { nodes(ids: $ids) { id } }"""


def make_article(sandbox: SandboxServer, blog_id: str, handle: str) -> str:
    payload = data(sandbox, ARTICLE_CREATE, {"a": article_input(blog_id, handle)})["articleCreate"]
    assert payload["userErrors"] == []
    return str(payload["article"]["id"])


def found(sandbox: SandboxServer, query: str) -> list[str]:
    """Handles that ``articles(query:)`` answers with."""
    return [n["handle"] for n in data(sandbox, SEARCH_ARTICLES, {"q": query})["articles"]["nodes"]]


def test_a_new_article_is_missing_from_search_until_the_lag_has_passed(
    lagging: SandboxServer, clock: StoreClock
) -> None:
    blog_id = create_blog(lagging)
    article_id = make_article(lagging, blog_id, "fresh")

    assert found(lagging, "handle:fresh") == []
    assert found(lagging, f"blog_id:{blog_id.rsplit('/', 1)[-1]}") == []
    # Direct reads are never behind: by id, by ids, a listing without a query, and the
    # blog's own list of articles (which takes no query on Shopify).
    assert data(lagging, BY_ID, {"id": article_id})["article"]["handle"] == "fresh"
    assert data(lagging, NODES, {"ids": [article_id]})["nodes"] == [{"id": article_id}]
    assert found(lagging, "") == ["fresh"]
    listed = data(lagging, BLOG_ARTICLES, {"id": blog_id})
    assert [n["handle"] for n in listed["blog"]["articles"]["nodes"]] == ["fresh"]

    clock.advance(LAG_S - 0.001)
    assert found(lagging, "handle:fresh") == []
    clock.advance(0.001)
    assert found(lagging, "handle:fresh") == ["fresh"]


def test_an_updated_article_matches_on_its_old_values_and_answers_with_its_new(
    lagging: SandboxServer, clock: StoreClock
) -> None:
    blog_id = create_blog(lagging)
    article_id = make_article(lagging, blog_id, "before")
    clock.advance(LAG_S)
    update = {"id": article_id, "a": {"handle": "after", "title": "Renamed"}}
    assert data(lagging, ARTICLE_UPDATE, update)["articleUpdate"]["userErrors"] == []

    (hit,) = data(lagging, SEARCH_ARTICLES, {"q": "handle:before"})["articles"]["nodes"]
    assert hit == {"id": article_id, "handle": "after", "title": "Renamed"}  # read as it is
    assert found(lagging, "handle:after") == []
    assert found(lagging, "title:Renamed") == []

    clock.advance(LAG_S)
    assert found(lagging, "handle:before") == []
    assert found(lagging, "handle:after") == ["after"]


def test_a_deleted_article_is_still_found_by_search_but_gone_by_id(
    lagging: SandboxServer, clock: StoreClock
) -> None:
    blog_id = create_blog(lagging)
    article_id = make_article(lagging, blog_id, "doomed")
    clock.advance(LAG_S)
    deleted = data(lagging, ARTICLE_DELETE, {"id": article_id})["articleDelete"]
    assert deleted["userErrors"] == []

    assert found(lagging, "handle:doomed") == ["doomed"]
    assert data(lagging, BY_ID, {"id": article_id})["article"] is None
    assert data(lagging, NODES, {"ids": [article_id]})["nodes"] == [None]
    assert found(lagging, "") == []

    clock.advance(LAG_S)
    assert found(lagging, "handle:doomed") == []


def test_an_article_created_and_deleted_within_the_lag_is_never_found(
    lagging: SandboxServer, clock: StoreClock
) -> None:
    blog_id = create_blog(lagging)
    article_id = make_article(lagging, blog_id, "brief")
    data(lagging, ARTICLE_DELETE, {"id": article_id})
    assert found(lagging, "handle:brief") == []
    clock.advance(LAG_S)
    assert found(lagging, "handle:brief") == []


PAGE_CREATE = """mutation($p: PageCreateInput!) {
  pageCreate(page: $p) { page { id } userErrors { message } } }"""
PAGES = """query($q: String) { pages(first: 50, query: $q) { nodes { handle } } }"""
BLOGS = """query($q: String) {
  blogs(first: 50, query: $q) { nodes { handle } } blogsCount(query: $q) { count } }"""


def test_pages_and_blogs_lag_in_search_and_list_at_once(
    lagging: SandboxServer, clock: StoreClock
) -> None:
    page = {"title": "Disclaimer", "handle": "disclaimer", "body": "<p>x</p>"}
    assert data(lagging, PAGE_CREATE, {"p": page})["pageCreate"]["userErrors"] == []
    create_blog(lagging, "journal")

    assert data(lagging, PAGES, {"q": "handle:disclaimer"})["pages"]["nodes"] == []
    listed = data(lagging, PAGES, {"q": None})["pages"]["nodes"]
    assert {"handle": "disclaimer"} in listed
    blogs = data(lagging, BLOGS, {"q": "handle:journal"})
    assert (blogs["blogs"]["nodes"], blogs["blogsCount"]["count"]) == ([], 0)
    assert {"handle": "journal"} in data(lagging, BLOGS, {"q": None})["blogs"]["nodes"]

    clock.advance(LAG_S)
    assert data(lagging, PAGES, {"q": "handle:disclaimer"})["pages"]["nodes"] == [
        {"handle": "disclaimer"}
    ]
    blogs = data(lagging, BLOGS, {"q": "handle:journal"})
    assert (blogs["blogs"]["nodes"], blogs["blogsCount"]["count"]) == ([{"handle": "journal"}], 1)


def test_a_new_file_is_missing_from_a_filename_search_but_read_by_id(
    lagging: SandboxServer, clock: StoreClock
) -> None:
    source = uploaded(lagging, "chart.png", png(2, 2))
    file_id = str(created(lagging, originalSource=source, filename="chart.png")["id"])

    assert search(lagging, 'filename:"chart.png"') == []
    assert data(lagging, NODES, {"ids": [file_id]})["nodes"] == [{"id": file_id}]
    assert [n["id"] for n in search(lagging, None)] == [file_id]

    clock.advance(LAG_S)
    assert [n["id"] for n in search(lagging, 'filename:"chart.png"')] == [file_id]


PRODUCTS = """query($q: String!, $h: String!) {
  products(first: 5, query: $q) { nodes { handle } }
  productByIdentifier(identifier: {handle: $h}) { handle }
}"""


def test_a_product_added_now_is_resolved_by_identifier_but_not_yet_searched(
    lagging: SandboxServer, clock: StoreClock
) -> None:
    lagging.store.add_products([{"handle": "new-widget", "title": "New Widget"}])
    answer = data(lagging, PRODUCTS, {"q": "handle:new-widget", "h": "new-widget"})
    assert answer["products"]["nodes"] == []
    assert answer["productByIdentifier"] == {"handle": "new-widget"}
    # The seed products were there before the store opened: already indexed.
    seeded = lagging.store.all("product")[0]["handle"]
    seed = data(lagging, PRODUCTS, {"q": f"handle:{seeded}", "h": seeded})
    assert seed["products"]["nodes"] == [{"handle": seeded}]

    clock.advance(LAG_S)
    answer = data(lagging, PRODUCTS, {"q": "handle:new-widget", "h": "new-widget"})
    assert answer["products"]["nodes"] == [{"handle": "new-widget"}]


def test_without_a_lag_search_sees_a_write_at_once(
    sandbox_factory: SandboxFactory, clock: StoreClock
) -> None:
    sandbox = sandbox_factory(search_lag_ms=0)
    sandbox.store.clock = clock
    blog_id = create_blog(sandbox)
    make_article(sandbox, blog_id, "instant")
    assert found(sandbox, "handle:instant") == ["instant"]


def test_what_a_db_held_is_indexed_when_the_store_opens(
    sandbox_factory: SandboxFactory, tmp_path: Path, clock: StoreClock
) -> None:
    db = tmp_path / "store.db"
    first = sandbox_factory(db_path=db, search_lag_ms=0)
    make_article(first, create_blog(first), "kept")
    first.stop()

    again = sandbox_factory(db_path=db, search_lag_ms=LAG_MS)
    again.store.clock = clock
    assert found(again, "handle:kept") == ["kept"]


def test_every_test_sandbox_lags_by_default(sandbox: SandboxServer) -> None:
    assert sandbox.config.search_lag_ms == SEARCH_LAG_MS > 0


@pytest.mark.search_lag(1200)
def test_the_marker_sets_a_tests_lag(sandbox: SandboxServer) -> None:
    assert sandbox.config.search_lag_ms == 1200


@pytest.mark.search_lag(0, reason="shows that a stated reason turns the lag off")
def test_the_marker_turns_it_off_with_a_reason(sandbox: SandboxServer) -> None:
    assert sandbox.config.search_lag_ms == 0


def test_a_new_stores_own_blog_and_pages_are_already_indexed(lagging: SandboxServer) -> None:
    assert data(lagging, BLOGS, {"q": "handle:news"})["blogs"]["nodes"] == [{"handle": "news"}]
    pages = data(lagging, PAGES, {"q": "handle:contact"})["pages"]["nodes"]
    assert pages == [{"handle": "contact"}]
