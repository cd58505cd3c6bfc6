"""The storefront view: what a person sees of the synced blog, articles, pages, products."""

from __future__ import annotations

import re

import requests

from shopsync.sandbox import SandboxServer, Store

from .gql import TIMEOUT, article_input, create_blog, gql

ARTICLE_CREATE = """
mutation StorefrontArticleCreate($article: ArticleCreateInput!) {
  articleCreate(article: $article) { article { id handle } userErrors { field message code } }
}
"""
PAGE_CREATE = """
mutation StorefrontPageCreate($page: PageCreateInput!) {
  pageCreate(page: $page) { page { id handle } userErrors { field message code } }
}
"""


def _get(sandbox: SandboxServer, path: str) -> requests.Response:
    response = requests.get(sandbox.url + path, timeout=TIMEOUT)
    assert response.headers["Content-Type"].startswith("text/html")
    return response


def _create_article(sandbox: SandboxServer, blog_id: str, handle: str, **extra: object) -> None:
    body = gql(sandbox, ARTICLE_CREATE, {"article": article_input(blog_id, handle, **extra)})
    assert body["data"]["articleCreate"]["userErrors"] == [], body


def test_a_created_article_shows_on_its_page(sandbox: SandboxServer) -> None:
    blog_id = create_blog(sandbox, "journal")
    _create_article(
        sandbox,
        blog_id,
        "first-light",
        title="First <light> & shadow",
        body='<h2 id="x">Stored as sent</h2><p>Kept <em>verbatim</em>.</p>',
        summary="<p>The short version.</p>",
        tags=["zeta", "alpha"],
        image={"url": "https://cdn.example.com/light.jpg", "altText": "A lamp"},
    )
    page = _get(sandbox, "/blogs/journal/first-light")
    assert page.status_code == 200
    html = page.text
    assert "First &lt;light&gt; &amp; shadow" in html  # text is escaped
    assert '<h2 id="x">Stored as sent</h2><p>Kept <em>verbatim</em>.</p>' in html  # body as stored
    assert "<p>The short version.</p>" in html
    assert "Sandbox Tester" in html
    assert re.search(r"Sandbox Tester · \d{1,2} [A-Z][a-z]+ \d{4}<", html)  # a readable date
    assert html.index(">alpha<") < html.index(">zeta<")
    # Shopify re-hosts the image on its CDN; the file name survives.
    assert re.search(r'<img src="https://[^"]*light\.jpg[^"]*" alt="A lamp">', html)
    assert "draft" not in html.split("<main>", 1)[1].split("</main>", 1)[0]


def test_home_and_blog_list_what_exists(sandbox: SandboxServer) -> None:
    blog_id = create_blog(sandbox, "journal")
    _create_article(sandbox, blog_id, "listed-one")
    _create_article(sandbox, blog_id, "not-yet", isPublished=False)
    home = _get(sandbox, "/").text
    assert 'href="/blogs/journal"' in home
    blog = _get(sandbox, "/blogs/journal").text
    assert 'href="/blogs/journal/listed-one"' in blog
    assert 'href="/blogs/journal/not-yet"' in blog
    draft_line = next(line for line in blog.split("<li>") if "not-yet" in line)
    assert "draft" in draft_line
    listed_line = next(line for line in blog.split("<li>") if "listed-one" in line)
    assert "draft" not in listed_line


def test_pages_show_their_body(sandbox: SandboxServer) -> None:
    body = gql(
        sandbox,
        PAGE_CREATE,
        {
            "page": {
                "title": "Medical disclaimer",
                "handle": "disclaimer",
                "body": "<p>Not advice.</p>",
            }
        },
    )
    assert body["data"]["pageCreate"]["userErrors"] == [], body
    assert 'href="/pages/disclaimer"' in _get(sandbox, "/").text
    page = _get(sandbox, "/pages/disclaimer")
    assert page.status_code == 200
    assert "Medical disclaimer" in page.text
    assert "<p>Not advice.</p>" in page.text


def test_products_show_title_and_status(sandbox: SandboxServer) -> None:
    product = Store.default_products()[0]
    page = _get(sandbox, f"/products/{product['handle']}")
    assert page.status_code == 200
    assert str(product["title"]).split("<")[0] in page.text
    assert f"Status: {product['status']}" in page.text


def test_unknown_paths_are_404_pages(sandbox: SandboxServer) -> None:
    for path in ("/blogs/nope", "/blogs/nope/nothing", "/pages/nope", "/products/nope", "/x/y/z"):
        response = _get(sandbox, path)
        assert response.status_code == 404, path
        assert "404" in response.text
    assert requests.post(sandbox.url + "/", timeout=TIMEOUT).status_code == 405
