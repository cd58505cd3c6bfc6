"""The words both halves of a sync share: canonical fields, digests, products and files.

The files side (``content``, ``desired``) and the store side (``admin``) each reduce an
article or page to *canonical fields*: a flat dict of JSON values in the form a read-back
from the store gives (tags sorted, dates in UTC to the second, HTML as sent). Planning is a
plain comparison of two such dicts, and the digests of one are how shopsync recognises its
own writes. Both sides import this module; it imports neither.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

Resource = Literal["article", "page"]
Fields = dict[str, Any]

# Field order is the order diffs are shown in.
ARTICLE_FIELDS: tuple[str, ...] = (
    "handle",
    "blog",
    "title",
    "author",
    "is_published",
    "publish_date",
    "tags",
    "summary_html",
    "body_html",
    "image_src",
    "image_alt",
    "template_suffix",
    "seo_title",
    "seo_description",
    "featured_products",
)
PAGE_FIELDS: tuple[str, ...] = (
    "handle",
    "title",
    "is_published",
    "publish_date",
    "body_html",
    "template_suffix",
    "seo_title",
    "seo_description",
)

#: Blogs, articles and pages: Shopify takes either scope of each pair (its reference: "Requires
#: Any of write_content, write_online_store_pages access scopes"); a write scope implies its read.
READ_CONTENT = ("read_content", "read_online_store_pages")
WRITE_CONTENT = ("write_content", "write_online_store_pages")
SCOPE_ALTERNATIVES: tuple[tuple[str, ...], ...] = (READ_CONTENT, WRITE_CONTENT)


def scope_need(scope: str) -> tuple[str, ...]:
    """The scopes any one of which would do where Shopify's refusal names ``scope``."""
    return next((group for group in SCOPE_ALTERNATIVES if scope in group), (scope,))


#: Pages Shopify itself puts in every new store, by handle, and what they are: the theme's
#: contact form (``page.contact`` template) and the data-sharing opt-out page Shopify's
#: customer-privacy settings create and keep. Shopify, the theme and the privacy settings
#: rely on these handles, so shopsync never adopts or overwrites them, and ``pull`` writes no
#: file for them; a store without such a page may still get one from a file.
SHOPIFY_PAGES: Mapping[str, str] = {
    "contact": "contact page",
    "data-sharing-opt-out": "data-sharing opt-out page",
}


def format_datetime(moment: datetime | None) -> str | None:
    """UTC, second precision, ``Z`` suffix: the form Shopify returns."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def content_digest(fields: Mapping[str, Any]) -> str:
    """A stable hash of canonical fields, all of them (key order does not matter).

    Recorded beside each write: when it still matches the files, a difference the plan sees
    is the store normalising what was sent, not a change.
    """
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


#: Characters of a digest kept where many are stored (the blog's index).
SHORT_DIGEST_CHARS = 16


def short_digest(digest: str) -> str:
    """The first SHORT_DIGEST_CHARS hex digits of a digest (``sha256:`` prefix or not)."""
    return digest.removeprefix("sha256:")[:SHORT_DIGEST_CHARS]


def stable_hash(data: Any) -> int:
    """``hash()`` of JSON-able data, for frozen values that hold dicts and lists."""
    return hash(json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False))


def fingerprint(fields: Mapping[str, Any]) -> str:
    """The hash used for drift detection: the stored content, minus what Shopify sets.

    Shopify picks ``publishedAt`` itself when an article is published without a date, and
    turns a scheduled article into a published one when its date comes, so the publish
    state counts only as "draft or not"; everything else an admin can edit counts in full.
    """
    data = dict(fields)
    visible = bool(data.pop("is_published", False)) or data.pop("publish_date", None) is not None
    data.pop("publish_date", None)
    data["visible"] = visible
    return content_digest(data)


@dataclass(frozen=True)
class ProductInfo:
    """What rendering needs to know of a featured product (resolved from the store)."""

    handle: str
    title: str
    url: str = ""
    image_url: str | None = None
    image_alt: str | None = None
    status: str = "ACTIVE"

    def __post_init__(self) -> None:
        if not self.url:
            object.__setattr__(self, "url", f"/products/{self.handle}")


@dataclass(frozen=True)
class ResolvedProduct:
    """A featured product as the store knows it: its id for the metafield, info for the body."""

    id: str
    info: ProductInfo


@dataclass(frozen=True)
class RemoteFile:
    """A file in the store's Content > Files as ``files``/``nodes`` report it."""

    id: str
    status: str  # UPLOADED, PROCESSING, READY, FAILED
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "url": self.url}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RemoteFile:
        return cls(id=str(data["id"]), status=str(data["status"]), url=data.get("url"))


def a(noun: str) -> str:
    """``noun`` with its indefinite article: "an article", "a page"."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun
