"""Small HTTP helpers for the sandbox tests: every call over real HTTP, with a timeout."""

from __future__ import annotations

from typing import Any

import requests

from shopsync.sandbox import SandboxServer

TIMEOUT = 10.0


def post(
    sandbox: SandboxServer,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    version: str = "2026-07",
    operation_name: str | None = None,
    timeout: float = TIMEOUT,
) -> requests.Response:
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if operation_name is not None:
        body["operationName"] = operation_name
    headers = {"X-Shopify-Access-Token": token or sandbox.config.access_token}
    return requests.post(sandbox.graphql_url(version), json=body, headers=headers, timeout=timeout)


def gql(
    sandbox: SandboxServer, query: str, variables: dict[str, Any] | None = None, **kw: Any
) -> Any:
    response = post(sandbox, query, variables, **kw)
    assert response.status_code == 200, response.text
    return response.json()


class FakeClock:
    """A clock the test moves by hand, for token expiry and bucket refills."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


BLOG_CREATE = """
mutation SandboxBlogCreate($blog: BlogCreateInput!) {
  blogCreate(blog: $blog) { blog { id handle } userErrors { field message code } }
}
"""

ARTICLE_CREATE = """
mutation SandboxArticleCreate($article: ArticleCreateInput!) {
  articleCreate(article: $article) {
    article { id handle title }
    userErrors { field message code }
  }
}
"""

ARTICLES = """
query SandboxArticles($first: Int!) {
  articles(first: $first) { nodes { id handle title } }
}
"""


def create_blog(sandbox: SandboxServer, handle: str = "news") -> str:
    data = gql(sandbox, BLOG_CREATE, {"blog": {"title": handle.title(), "handle": handle}})
    payload = data["data"]["blogCreate"]
    assert payload["userErrors"] == [], payload
    blog_id: str = payload["blog"]["id"]
    return blog_id


def article_input(blog_id: str, handle: str, **extra: Any) -> dict[str, Any]:
    return {
        "blogId": blog_id,
        "handle": handle,
        "title": handle.replace("-", " ").title(),
        "author": {"name": "Sandbox Tester"},
        "body": f"<p>Body of {handle}</p>",
        **extra,
    }


def article_handles(sandbox: SandboxServer) -> list[str]:
    data = gql(sandbox, ARTICLES, {"first": 250})
    return sorted(n["handle"] for n in data["data"]["articles"]["nodes"])
