"""What the store has now, read through the client in as few requests as possible.

One paginated read per blog for articles and one for pages, each node carrying the
metafields shopsync compares (SEO, featured products) and its ownership marks
(``shopsync.*``) as aliases; featured products resolved in batches of handles.
Parsing a node into canonical fields is pure (``article_from_node``/``page_from_node``)
so the write path reuses it on mutation payloads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shopsync.vocabulary import (
    Fields,
    ProductInfo,
    RemoteFile,
    ResolvedProduct,
    Resource,
    fingerprint,
    format_datetime,
    stable_hash,
)

if TYPE_CHECKING:
    from shopsync.admin.client import ShopifyClient

# Each article node costs about a dozen points (itself, author, image, blog, seven
# metafields): 50 a page stays well under Shopify's 1,000-point single-query cap.
ARTICLE_PAGE_SIZE = 50
PAGE_PAGE_SIZE = 100
# Handles per products(query: "handle:a OR handle:b") request.
PRODUCT_BATCH = 50
# File names per files(query: "filename:a OR filename:b") request.
FILE_BATCH = 50


@dataclass(frozen=True)
class RemoteItem:
    """One article or page as the store has it, reduced to canonical fields."""

    resource: Resource
    id: str
    handle: str
    fields: Fields
    blog: str | None = None
    source: str | None = None
    #: What shopsync recorded at its last write (``marks``): fingerprint and exact digest.
    recorded_fingerprint: str | None = None
    recorded_digest: str | None = None

    def __hash__(self) -> int:
        return stable_hash(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "id": self.id,
            "handle": self.handle,
            "blog": self.blog,
            "fields": self.fields,
            "source": self.source,
            "recorded_fingerprint": self.recorded_fingerprint,
            "recorded_digest": self.recorded_digest,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RemoteItem:
        return cls(
            resource=data["resource"],
            id=str(data["id"]),
            handle=str(data["handle"]),
            fields=dict(data["fields"]),
            blog=data.get("blog"),
            source=data.get("source"),
            recorded_fingerprint=data.get("recorded_fingerprint"),
            recorded_digest=data.get("recorded_digest"),
        )

    @property
    def managed(self) -> bool:
        return self.source is not None

    @property
    def drifted(self) -> bool:
        """Edited since shopsync last wrote it (only meaningful for managed items)."""
        recorded = self.recorded_fingerprint
        return recorded is not None and fingerprint(self.fields) != recorded


@dataclass(frozen=True)
class RemoteState:
    """Blogs (handle → id), and every article of those blogs and every page."""

    blogs: Mapping[str, str] = field(default_factory=dict)
    articles: tuple[RemoteItem, ...] = ()
    pages: tuple[RemoteItem, ...] = ()


def _value(node: Mapping[str, Any], alias: str) -> str | None:
    metafield = node.get(alias)
    if isinstance(metafield, Mapping):
        value = metafield.get("value")
        return value if isinstance(value, str) else None
    return None


def _parse_time(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return format_datetime(datetime.fromisoformat(value.replace("Z", "+00:00")))


def _product_ids(raw: str | None) -> list[str]:
    if not raw:
        return []
    try:
        parsed = json.loads(raw)
    except ValueError:
        return [raw]
    if isinstance(parsed, list):
        return [str(x) for x in parsed]
    return [str(parsed)]


def article_from_node(node: Mapping[str, Any]) -> RemoteItem:
    """A node selected by the ``SyncArticle`` fields (see queries/Sync*.graphql)."""
    image = node.get("image") if isinstance(node.get("image"), Mapping) else None
    author = node.get("author") if isinstance(node.get("author"), Mapping) else None
    blog = node.get("blog") if isinstance(node.get("blog"), Mapping) else None
    image_src: str | None = None
    image_alt: str | None = None
    if image is not None:
        # Shopify re-hosts the image: compare the URL we sent (kept in a metafield),
        # falling back to the stored one for images set in the admin.
        image_src = _value(node, "imageSrc") or image.get("url")
        image_alt = image.get("altText") or None
    blog_handle = blog.get("handle") if blog else None
    fields: Fields = {
        "handle": node["handle"],
        "blog": blog_handle,
        "title": node.get("title"),
        "author": author.get("name") if author else None,
        "is_published": bool(node.get("isPublished")),
        "publish_date": _parse_time(node.get("publishedAt")),
        "tags": sorted(node.get("tags") or []),
        "summary_html": node.get("summary") or None,
        "body_html": node.get("body") or "",
        "image_src": image_src,
        "image_alt": image_alt,
        "template_suffix": node.get("templateSuffix") or None,
        "seo_title": _value(node, "seoTitle"),
        "seo_description": _value(node, "seoDescription"),
        "featured_products": _product_ids(_value(node, "featuredProducts")),
    }
    return RemoteItem(
        resource="article",
        id=node["id"],
        handle=node["handle"],
        fields=fields,
        blog=blog_handle,
        source=_value(node, "shopsyncSource"),
        recorded_fingerprint=_value(node, "shopsyncFingerprint"),
        recorded_digest=_value(node, "shopsyncContentDigest"),
    )


def page_from_node(node: Mapping[str, Any]) -> RemoteItem:
    """A node selected by the ``SyncPage`` fields."""
    published = bool(node.get("isPublished"))
    fields: Fields = {
        "handle": node["handle"],
        "title": node.get("title"),
        "is_published": published,
        # Pages are published now or hidden; their dates are Shopify's business.
        "publish_date": None,
        "body_html": node.get("body") or "",
        "template_suffix": node.get("templateSuffix") or None,
        "seo_title": _value(node, "seoTitle"),
        "seo_description": _value(node, "seoDescription"),
    }
    return RemoteItem(
        resource="page",
        id=node["id"],
        handle=node["handle"],
        fields=fields,
        source=_value(node, "shopsyncSource"),
        recorded_fingerprint=_value(node, "shopsyncFingerprint"),
        recorded_digest=_value(node, "shopsyncContentDigest"),
    )


def product_from_node(node: Mapping[str, Any]) -> ResolvedProduct:
    image = node.get("featuredImage") if isinstance(node.get("featuredImage"), Mapping) else None
    handle = str(node["handle"])
    info = ProductInfo(
        handle=handle,
        title=str(node.get("title") or handle),
        url=f"/products/{handle}",
        image_url=image.get("url") if image else None,
        image_alt=(image.get("altText") or None) if image else None,
        status=str(node.get("status") or "ACTIVE"),
    )
    return ResolvedProduct(id=str(node["id"]), info=info)


def product_query(handles: Iterable[str]) -> str:
    """Shopify search syntax for "any of these handles"."""
    return " OR ".join(f"handle:{h}" for h in handles)


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def fetch_products(client: ShopifyClient, handles: Sequence[str]) -> dict[str, ResolvedProduct]:
    """Resolve product handles in batches; handles the store does not have are absent."""
    found: dict[str, ResolvedProduct] = {}
    wanted = sorted(set(handles))
    for batch in _chunks(wanted, PRODUCT_BATCH):
        data = client.run(
            "SyncProductsByHandles", {"first": len(batch), "query": product_query(batch)}
        )
        for node in data["products"]["nodes"]:
            product = product_from_node(node)
            # Search can match more loosely than equality; keep exact handles only.
            if product.info.handle in batch:
                found[product.info.handle] = product
    return found


def file_from_node(node: Mapping[str, Any]) -> RemoteFile:
    image = node.get("image")
    url = image.get("url") if isinstance(image, Mapping) else None
    return RemoteFile(id=str(node["id"]), status=str(node.get("fileStatus") or ""), url=url)


def file_name(node: Mapping[str, Any]) -> str | None:
    """A file's name: the last path segment of its CDN URL, or of the upload it came from."""
    for key in ("image", "originalSource"):
        value = node.get(key)
        url = value.get("url") if isinstance(value, Mapping) else None
        if url:
            return str(url).split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return None


# A READY file beats one still processing, which beats a failed one.
_STATUS_RANK = {"READY": 0, "PROCESSING": 1, "UPLOADED": 1, "FAILED": 2}


def fetch_files(client: ShopifyClient, filenames: Sequence[str]) -> dict[str, RemoteFile]:
    """The store's files among ``filenames`` (content-addressed upload names), in batches."""
    found: dict[str, RemoteFile] = {}
    wanted = sorted(set(filenames))
    for batch in _chunks(wanted, FILE_BATCH):
        query = " OR ".join(f'filename:"{name}"' for name in batch)
        # Room for a failed attempt beside each good file, within the 250 cap.
        data = client.run("SyncFilesByName", {"first": min(250, 4 * len(batch)), "query": query})
        for node in data["files"]["nodes"]:
            name = file_name(node)
            if name is None or name not in batch:
                continue  # search matches loosely; keep exact names only
            remote = file_from_node(node)
            best = found.get(name)
            if best is None or _STATUS_RANK.get(remote.status, 3) < _STATUS_RANK.get(
                best.status, 3
            ):
                found[name] = remote
    return found


def fetch_blogs(client: ShopifyClient, handles: Sequence[str]) -> dict[str, str]:
    """Blog handle → id for the blogs that exist among ``handles``."""
    # A store has few blogs: listing them all is one request and needs no search syntax.
    blogs: dict[str, str] = {}
    for node in client.paginate("SyncBlogs", {"first": 250}, path=["blogs"]):
        if node["handle"] in handles:
            blogs[node["handle"]] = node["id"]
    return blogs


def fetch_state(
    client: ShopifyClient,
    *,
    blogs: Sequence[str],
    product_namespace: str,
    product_key: str,
) -> RemoteState:
    """Blogs, their articles and all pages: the remote half of a plan."""
    blog_ids = fetch_blogs(client, blogs)
    articles: list[RemoteItem] = []
    for handle in sorted(blog_ids):
        variables = {
            "blogId": blog_ids[handle],
            "first": ARTICLE_PAGE_SIZE,
            "productNamespace": product_namespace,
            "productKey": product_key,
        }
        for node in client.paginate("SyncBlogArticles", variables, path=["blog", "articles"]):
            articles.append(article_from_node(node))
    pages = [
        page_from_node(node)
        for node in client.paginate("SyncPages", {"first": PAGE_PAGE_SIZE}, path=["pages"])
    ]
    return RemoteState(blogs=blog_ids, articles=tuple(articles), pages=tuple(pages))
