"""Blogs, articles and pages answer either scope of a pair, as Shopify's reference says of
each of their root fields ("Requires Any of write_content, write_online_store_pages access
scopes"; reads: ``read_content`` or ``read_online_store_pages``), and refuse a token with
neither with Shopify's ACCESS_DENIED, field by field, over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from shopsync.sandbox import SandboxServer

from .gql import gql

CONTENT_PAIR = ("read_content", "write_content")
PAGES_PAIR = ("read_online_store_pages", "write_online_store_pages")
SCOPES_DOCS = "https://shopify.dev/api/usage/access-scopes"

READS = """query($blog: ID!, $article: ID!, $page: ID!) {
  blogs(first: 5) { nodes { handle } }
  blog(id: $blog) { handle }
  blogsCount { count }
  articles(first: 5) { nodes { handle } }
  article(id: $article) { handle }
  articleTags(limit: 5)
  articleAuthors(first: 5) { nodes { name } }
  pages(first: 5) { nodes { handle } }
  page(id: $page) { handle }
  pagesCount { count }
  comments(first: 5) { nodes { id } }
}"""
READ_FIELDS = (
    "blogs",
    "blog",
    "blogsCount",
    "articles",
    "article",
    "articleTags",
    "articleAuthors",
    "pages",
    "page",
    "pagesCount",
    "comments",
)

ERRORS = "userErrors { field message code }"
WRITES: dict[str, str] = {
    "blogCreate": f"""mutation {{ blogCreate(blog: {{title: "Journal"}}) {{
      blog {{ id }} {ERRORS} }} }}""",
    "blogUpdate": f"""mutation($blog: ID!) {{ blogUpdate(id: $blog, blog: {{title: "Newer"}}) {{
      blog {{ id }} {ERRORS} }} }}""",
    "articleCreate": f"""mutation($blog: ID!) {{ articleCreate(article: {{blogId: $blog,
      title: "Made", handle: "made", author: {{name: "A"}}}}) {{ article {{ id }} {ERRORS} }} }}""",
    "articleUpdate": f"""mutation($article: ID!) {{ articleUpdate(id: $article,
      article: {{title: "Changed"}}) {{ article {{ id }} {ERRORS} }} }}""",
    "pageCreate": f"""mutation {{ pageCreate(page: {{title: "About", handle: "about"}}) {{
      page {{ id }} {ERRORS} }} }}""",
    "pageUpdate": f"""mutation($page: ID!) {{ pageUpdate(id: $page, page: {{title: "Reach us"}}) {{
      page {{ id }} {ERRORS} }} }}""",
    "articleDelete": f"""mutation($article: ID!) {{ articleDelete(id: $article) {{
      deletedArticleId {ERRORS} }} }}""",
}


def _ids(sandbox: SandboxServer) -> dict[str, str]:
    """The seeded News blog and Contact page, and an article in the blog."""
    blog = sandbox.store.blog_by_handle("news")
    page = sandbox.store.page_by_handle("contact")
    assert blog is not None and page is not None
    made = gql(sandbox, WRITES["articleCreate"].replace('"made"', '"first"'), {"blog": blog["id"]})
    article = made["data"]["articleCreate"]["article"]["id"]
    return {"blog": blog["id"], "page": page["id"], "article": article}


def _variables(document: str, ids: dict[str, str]) -> dict[str, Any]:
    return {name: value for name, value in ids.items() if f"${name}:" in document}


@pytest.mark.parametrize("pair", [CONTENT_PAIR, PAGES_PAIR], ids=["content", "online_store_pages"])
def test_either_pair_reads_and_writes_blogs_articles_and_pages(
    sandbox: SandboxServer, pair: tuple[str, str]
) -> None:
    ids = _ids(sandbox)
    token = sandbox.issue_token(scopes=pair)
    reads = gql(sandbox, READS, ids, token=token)
    assert "errors" not in reads, reads["errors"]
    assert reads["data"]["page"] == {"handle": "contact"}
    for field, document in WRITES.items():
        body = gql(sandbox, document, _variables(document, ids), token=token)
        assert "errors" not in body, (field, body["errors"])
        assert body["data"][field]["userErrors"] == [], field
    assert sandbox.store.page_by_handle("about") is not None


def test_a_write_scope_of_the_pages_pair_is_enough_to_read(sandbox: SandboxServer) -> None:
    ids = _ids(sandbox)
    token = sandbox.issue_token(scopes=("write_online_store_pages",))
    assert "errors" not in gql(sandbox, READS, ids, token=token)


def test_the_read_scope_alone_reads_but_every_write_is_denied(sandbox: SandboxServer) -> None:
    ids = _ids(sandbox)
    token = sandbox.issue_token(scopes=("read_online_store_pages",))
    assert "errors" not in gql(sandbox, READS, ids, token=token)
    for field, document in WRITES.items():
        body = gql(sandbox, document, _variables(document, ids), token=token)
        assert body["data"] == {field: None}
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "ACCESS_DENIED" and error["path"] == [field]
        assert "`write_content` access scope" in error["message"]
    assert sandbox.store.page_by_handle("about") is None


def test_neither_pair_is_denied_with_shopifys_error_shape(sandbox: SandboxServer) -> None:
    ids = _ids(sandbox)
    token = sandbox.issue_token(scopes=("read_products",))
    body = gql(sandbox, READS, ids, token=token)
    assert body["data"] == dict.fromkeys(READ_FIELDS)
    assert sorted(e["path"] for e in body["errors"]) == sorted([f] for f in READ_FIELDS)
    blogs = next(e for e in body["errors"] if e["path"] == ["blogs"])
    assert blogs == {
        "message": "Access denied for blogs field. Required access: `read_content` access scope.",
        "locations": [{"line": 2, "column": 3}],
        "extensions": {
            "code": "ACCESS_DENIED",
            "documentation": SCOPES_DOCS,
            "requiredAccess": "`read_content` access scope.",
        },
        "path": ["blogs"],
    }
    created = gql(sandbox, WRITES["pageCreate"], token=token)
    assert created["data"] == {"pageCreate": None}
    assert created["errors"][0]["message"] == (
        "Access denied for pageCreate field. Required access: `write_content` access scope."
    )
    assert sandbox.store.page_by_handle("about") is None
