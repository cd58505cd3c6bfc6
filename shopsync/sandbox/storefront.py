"""A plain storefront view of the sandbox store, so a person can see what was synced.

Not a theme: one small inline stylesheet, every text escaped, article and page bodies
shown as stored (they are the store's HTML, sanitised or not by whoever sent them, as
on a live store). Unpublished articles and pages are listed too, marked with a
"draft" badge, because the point is to check what a sync did.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import quote, unquote

from werkzeug.wrappers import Request, Response

from shopsync.content.images import sniff
from shopsync.sandbox.store import CDN_ROOT, Store

_STYLE = """
body{font:16px/1.55 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;
color:#1f2328;background:#fff}
header{border-bottom:1px solid #d0d7de;margin-bottom:1.5rem;padding-bottom:.5rem}
header a{color:#1f2328;text-decoration:none;font-weight:600}
a{color:#0969da}h1{line-height:1.2}
.meta{color:#59636e;font-size:.9rem}
.badge{display:inline-block;font-size:.75rem;padding:0 .45rem;border-radius:1rem;
background:#fff8c5;border:1px solid #d4a72c;color:#7d4e00;vertical-align:middle}
.tag{display:inline-block;font-size:.8rem;background:#eef1f4;border-radius:.3rem;
padding:0 .4rem;margin-right:.3rem}
.summary{font-style:italic;border-left:3px solid #d0d7de;padding-left:.8rem}
img{max-width:100%;height:auto}ul.list li{margin:.3rem 0}
footer{margin-top:3rem;color:#59636e;font-size:.8rem}
"""


def _page(title: str, body: str, status: int = 200) -> Response:
    html = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · shopsync sandbox</title><style>{_STYLE}</style></head>"
        '<body><header><a href="/">shopsync sandbox store</a></header>'
        f"<main>{body}</main>"
        "<footer>Local sandbox store. Drafts are shown with a badge; live stores hide them."
        "</footer></body></html>\n"
    )
    return Response(html, status=status, mimetype="text/html")


def _date(value: Any) -> str:
    """``2026-11-25T03:18:13Z`` as ``25 November 2026``; anything else as given."""
    if not value:
        return ""
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    return f"{when.day} {when:%B %Y}"


def _url(handle: Any) -> str:
    """A handle as a path segment inside an attribute."""
    return escape(quote(str(handle or ""), safe=""))


def _not_found(what: str) -> Response:
    return _page("Not found", f"<h1>404 Not found</h1><p>{escape(what)}</p>", 404)


def _draft(item: Mapping[str, Any]) -> str:
    return "" if item.get("isPublished") else ' <span class="badge">draft</span>'


def _local(store: Store, html: str) -> str:
    """Uploaded files (and article images re-hosted from them) served from ``/cdn/``.

    There is no CDN here; the store's URLs stay Shopify-shaped, and only URLs whose bytes
    the sandbox holds are pointed at its own copy in this view.
    """
    pattern = re.escape(CDN_ROOT) + r"(files|articles)/([^\"'?\s<>]+)"

    def local(match: re.Match[str]) -> str:
        with store.lock:
            held = unquote(match.group(2)) in store.file_data
        return f"/cdn/{match.group(1)}/{match.group(2)}" if held else match.group(0)

    return re.sub(pattern, local, html)


def _image(store: Store, image: Any) -> str:
    if not isinstance(image, Mapping) or not image.get("url"):
        return ""
    alt = escape(str(image.get("altText") or ""))
    return f'<p><img src="{_local(store, escape(str(image["url"])))}" alt="{alt}"></p>'


def _cdn(store: Store, name: str) -> Response:
    """An uploaded file's bytes (by name, as files and re-hosted article images use it)."""
    with store.lock:
        data = store.file_data.get(unquote(name))
    if data is None:
        return _not_found(f"No file named {name!r} was uploaded to this sandbox.")
    return Response(data, mimetype=sniff(data) or "application/octet-stream")


def _home(store: Store) -> Response:
    parts = ['<h1>Blogs</h1><ul class="list">']
    for blog in store.blogs():
        handle = _url(blog.get("handle"))
        count = len(store.articles_of(blog["id"]))
        parts.append(
            f'<li><a href="/blogs/{handle}">{escape(str(blog.get("title", "")))}</a> '
            f'<span class="meta">({count} article{"s" if count != 1 else ""})</span></li>'
        )
    parts.append('</ul><h1>Pages</h1><ul class="list">')
    for page in store.pages():
        handle = _url(page.get("handle"))
        title = escape(str(page.get("title", "")))
        parts.append(f'<li><a href="/pages/{handle}">{title}</a>{_draft(page)}</li>')
    parts.append("</ul>")
    return _page("Home", "".join(parts))


def _blog(store: Store, blog_handle: str) -> Response:
    blog = store.blog_by_handle(blog_handle)
    if blog is None:
        return _not_found(f"No blog with handle {blog_handle!r}.")
    title = escape(str(blog.get("title", "")))
    parts = [f'<h1>{title}</h1><ul class="list">']
    articles = store.articles_of(blog["id"])
    for article in articles:
        handle = _url(article.get("handle"))
        date = escape(_date(article.get("publishedAt")))
        parts.append(
            f'<li><a href="/blogs/{_url(blog_handle)}/{handle}">'
            f"{escape(str(article.get('title', '')))}</a>{_draft(article)} "
            f'<span class="meta">{date}</span></li>'
        )
    if not articles:
        parts.append("<li>No articles yet.</li>")
    parts.append("</ul>")
    return _page(str(blog.get("title", "")), "".join(parts))


def _article(store: Store, blog_handle: str, handle: str) -> Response:
    article = store.article_by_handle(blog_handle, handle)
    if article is None:
        return _not_found(f"No article {handle!r} in blog {blog_handle!r}.")
    author = article.get("author") or {}
    author_name = author.get("name") if isinstance(author, Mapping) else None
    date = _date(article.get("publishedAt")) or "not published"
    tags = "".join(f'<span class="tag">{escape(str(t))}</span>' for t in article.get("tags") or ())
    summary = article.get("summary") or ""
    parts = [
        f"<article><h1>{escape(str(article.get('title', '')))}{_draft(article)}</h1>",
        f'<p class="meta">By {escape(str(author_name or "unknown"))} · {escape(str(date))}</p>',
        f'<p class="meta">{tags}</p>' if tags else "",
        _image(store, article.get("image")),
        f'<div class="summary">{summary}</div>' if summary else "",
        f'<div class="body">{_local(store, article.get("body") or "")}</div>',
        f'<p><a href="/blogs/{_url(blog_handle)}">← back to the blog</a></p></article>',
    ]
    return _page(str(article.get("title", "")), "".join(parts))


def _store_page(store: Store, handle: str) -> Response:
    page = store.page_by_handle(handle)
    if page is None:
        return _not_found(f"No page with handle {handle!r}.")
    title = escape(str(page.get("title", "")))
    body = page.get("body") or ""
    return _page(
        str(page.get("title", "")), f'<h1>{title}{_draft(page)}</h1><div class="body">{body}</div>'
    )


def _product(store: Store, handle: str) -> Response:
    product = store.product_by_handle(handle)
    if product is None:
        return _not_found(f"No product with handle {handle!r}.")
    status = str(product.get("status") or "")
    badge = "" if status == "ACTIVE" else f' <span class="badge">{escape(status.lower())}</span>'
    description = product.get("descriptionHtml") or ""
    return _page(
        str(product.get("title", "")),
        f"<h1>{escape(str(product.get('title', '')))}{badge}</h1>"
        f'<p class="meta">Status: {escape(status)}</p>'
        f'{_image(store, product.get("featuredImage"))}<div class="body">{description}</div>',
    )


def respond(store: Store, request: Request) -> Response:
    """The storefront page for ``request`` (GET only)."""
    if request.method not in ("GET", "HEAD"):
        return Response("Method Not Allowed", status=405, headers={"Allow": "GET, HEAD"})
    parts = [p for p in request.path.split("/") if p]
    if not parts:
        return _home(store)
    if parts[0] == "blogs" and len(parts) == 2:
        return _blog(store, parts[1])
    if parts[0] == "blogs" and len(parts) == 3:
        return _article(store, parts[1], parts[2])
    if parts[0] == "pages" and len(parts) == 2:
        return _store_page(store, parts[1])
    if parts[0] == "products" and len(parts) == 2:
        return _product(store, parts[1])
    if parts[0] == "cdn" and len(parts) == 3 and parts[1] in ("files", "articles"):
        return _cdn(store, parts[2])
    return _not_found(f"Nothing at {request.path}.")
